"""`scaleboard alerts`: list open alerts, acknowledge or snooze one, see deliveries, test a channel.

  scaleboard alerts list [--model ID]
  scaleboard alerts ack ALERT_ID --reason TEXT
  scaleboard alerts snooze ALERT_ID --hours N --reason TEXT
  scaleboard alerts deliveries [--failed]
  scaleboard alerts deliver                      (send what is pending now, as refresh and check do)
  scaleboard alerts test-channel NAME

Channels and routes: <lakehouse>/_config/alerting.yaml (docs/alerts.md). Exit 1 when a delivery or
test fails, 2 on a usage or configuration error.
"""

from __future__ import annotations

import argparse

from analytics import sql
from analytics.alerts import actions, outbox
from analytics.alerts import config as alert_config
from analytics.cli.common import add_root_option, root_of
from analytics.governance import audit
from analytics.lakehouse import connection


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="list, acknowledge or snooze alerts; check delivery channels",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_root_option(p)
    cmds = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    ls = cmds.add_parser("list", help="open alerts, latest value and severity first")
    ls.add_argument("--model", default=None, help="only this model id")
    for name, helptext in (("ack", "acknowledge an open alert (it is not sent again)"),
                           ("snooze", "hold an open alert's notifications for some hours")):
        a = cmds.add_parser(name, help=helptext)
        a.add_argument("alert_id")
        a.add_argument("--reason", required=True, help="what you are doing about it (audited)")
        if name == "snooze":
            a.add_argument("--hours", type=float, required=True, help="how long (at most 720)")
    d = cmds.add_parser("deliveries", help="the latest delivery of each notification, failed first")
    d.add_argument("--failed", action="store_true", help="only failed deliveries")
    cmds.add_parser("deliver", help="send pending notifications now")
    t = cmds.add_parser("test-channel", help="send a test notification to one channel")
    t.add_argument("channel")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    cmd = args.alerts_command
    if cmd == "ack":
        actions.acknowledge(root, args.alert_id, actor=audit.cli_actor(), reason=args.reason, page="cli")
        print(f"acknowledged {args.alert_id}")
        return 0
    if cmd == "snooze":
        row = actions.snooze(root, args.alert_id, actor=audit.cli_actor(), hours=args.hours, reason=args.reason,
                             page="cli")
        print(f"snoozed {args.alert_id} until {row['snoozed_until']:%Y-%m-%d %H:%M} UTC")
        return 0
    if cmd == "deliver":
        alert_config.load(root)  # a malformed file is a usage error here (refresh only logs it)
        report = outbox.deliver(root)
        print(report.line())
        for f in report.failures:
            print(f"  {f}")
        return 1 if report.error or report.n_failed else 0
    if cmd == "test-channel":
        result = outbox.send_test(root, args.channel)
        print(f"{args.channel}: " + ("delivered" if result.ok else f"FAILED: {result.error}"))
        return 0 if result.ok else 1
    con = connection.connect(root)
    try:
        if cmd == "list":
            df = actions.table(con, model_id=args.model)
            for r in df.iter_rows(named=True):
                state = (f"acknowledged by {r['acknowledged_by']}" if r["acknowledged_at"] else
                         f"snoozed until {r['snoozed_until']:%Y-%m-%d %H:%M}" if r["snoozed_until"] else "")
                print(f"{r['alert_id']}  {r['severity']:<8} {r['name'] or r['model_id']}: {r['message']} "
                      f"[since {r['since_at']:%Y-%m-%d}, ${r['value_at_risk_usd'] or 0:,.0f}/month at risk]"
                      + (f" ({state})" if state else ""))
            print(f"{df.height} open alert(s)")
        else:
            df = sql.run(con, "alert_deliveries_recent", status="failed" if args.failed else None, limit=200)
            for r in df.iter_rows(named=True):
                print(f"{r['attempted_at']:%Y-%m-%d %H:%M}  {r['status']:<10} {r['channel']:<16} {r['event']:<11} "
                      f"{r['summary']}" + (f"  ({r['error']})" if r["error"] else ""))
            print(f"{df.height} delivery record(s)")
    finally:
        con.close()
    return 0
