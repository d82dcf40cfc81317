"""Stewardship tasks tell their steward when `scaleboard check` opens them and when they close
themselves (real SMTP sink and HTTP receiver on 127.0.0.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.cli import main
from analytics.lakehouse import storage
from analytics.quality import contracts, runner, tasks

END = datetime(2026, 10, 31, tzinfo=UTC)
CONTRACT = """\
dataset: crm_accounts
checks:
  - {id: fresh, kind: timeliness, table: dataset_batches, where: {dataset_id: crm_accounts},
     column: newest_event_at, warn: 30, fail: 48}
"""


def _batches(lake, days: range) -> None:
    lake.put("dataset_batches", [{"dataset_id": "crm_accounts", "batch_at": END - timedelta(days=d, hours=20),
                                  "n_rows": 100, "newest_event_at": END - timedelta(days=d, hours=22)}
                                 for d in days])


def test_steward_hears_of_a_task_opening_and_closing_itself(lake, receiver, smtp_sink, monkeypatch):
    lake.put("datasets", [{"dataset_id": "crm_accounts", "name": "CRM accounts", "owner": "Olga", "steward": "Sven"}])
    _batches(lake, range(18, 40))  # the feed stopped 18 days before END
    folder = contracts.contracts_dir(lake.root)
    folder.mkdir(parents=True)
    (folder / "crm_accounts.yaml").write_text(CONTRACT)
    monkeypatch.setenv("TEST_HOOK_SECRET", "s")
    (lake.root / storage.CONFIG / "alerting.yaml").write_text(f"""\
channels:
  steward-mail: {{kind: email, host: 127.0.0.1, port: {smtp_sink.port}, security: none, from: sb@example.com,
                  to: [fallback@example.com]}}
  hook: {{kind: webhook, url: "{receiver.url}/hook", secret: "env:TEST_HOOK_SECRET"}}
stewards:
  channels: [steward-mail, hook]
  addresses: {{Sven: sven@example.com}}
""")
    runner.run(lake.root, as_of=END)
    (task,) = tasks.current(lake.con()).iter_rows(named=True)
    assert [(m.to, m.subject) for m in smtp_sink.mails] == [(["sven@example.com"],
                                                            "Stewardship task opened: CRM accounts")]
    assert "is 19 days old" in smtp_sink.mails[0].text  # the task's reason, in words
    assert [(r.json["event"], r.json["subject_id"]) for r in receiver.requests] == [("task_open", task["task_id"])]
    # a steward's own acknowledgement is not announced back; a second failing run changes nothing
    tasks.acknowledge(lake.root, task["task_id"], actor="Sven", reason="Calling the vendor")
    runner.run(lake.root, as_of=END + timedelta(hours=1))
    assert len(smtp_sink.mails) == 1 and len(receiver.requests) == 1
    _batches(lake, range(0, 18))  # the feed is back: the next run closes the task itself
    assert main(["check", "--lakehouse", str(lake.root), "--as-of", (END + timedelta(hours=2)).isoformat()]) == 0
    assert [(m.to, m.subject) for m in smtp_sink.mails][1:] == [(["sven@example.com"],
                                                                "Stewardship task closed: CRM accounts")]
    assert [r.json["event"] for r in receiver.requests][1:] == ["task_close"]
    runner.run(lake.root, as_of=END + timedelta(hours=3))
    assert len(smtp_sink.mails) == 2 and len(receiver.requests) == 2
