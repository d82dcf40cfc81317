"""Stored cross-site scripting, in a real browser: script and markdown payloads loaded into the
lakehouse as categorical feature values (through ingest, as `scaleboard ingest features` does),
feature names, a checklist title and file names. The app's windows run none of them (a canary on
``window.__pwned``, a dialog handler), no link or image to the payloads' host appears, Evidently's
report runs in a frame sandboxed to ``allow-scripts`` (an opaque origin), and the text still reads as
written. The same poisoned server also checks the readiness history CSV download."""

from __future__ import annotations

import csv
import io
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from system_deps import requires_binary
from xss_corpus import FEATURE_NAMES, FILE_NAMES, LINK_SELECTOR, MARKDOWN, SCRIPT, VALUES

import e2e
from analytics import pipeline
from analytics.drift import monitor as drift_monitor
from analytics.lakehouse import connection, ingest
from analytics.readiness import items, record
from app.safe_text import plain
from e2e_auth import bench_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser"),
              requires_binary("chromium")]

MODEL = "basket_recommender"
TITLE = "Monitoring [pwn-title](https://evil.example/t) <img src=x onerror=window.__pwned=1>"


def _feature_rows(model_id: str, version: str, start, end, tag: str) -> list[dict]:
    """60 requests spread over [start, end]: each carries one payload value of 'channel' and one
    value of every payload-named feature (two values, so Evidently has a distribution)."""
    rows, span = [], max((end - start).days, 1)
    for i in range(60):
        at = datetime(start.year, start.month, start.day, 12, tzinfo=UTC) + timedelta(days=i % span)
        rid = f"xss-{tag}-{i}"
        rows.append({"feature_at": at.isoformat(), "model_id": model_id, "version": version, "request_id": rid,
                     "feature": "channel", "value_num": None, "value_cat": VALUES[i % len(VALUES)]})
        for name in FEATURE_NAMES:
            rows.append({"feature_at": at.isoformat(), "model_id": model_id, "version": version, "request_id": rid,
                         "feature": name, "value_num": None, "value_cat": ("a", "b")[i % 2]})
    return rows


def poison(root: Path) -> None:
    """Load every payload into the lakehouse at ``root`` (a copy of the demo)."""
    con = connection.connect(root)
    try:
        v = drift_monitor.model_versions(con).filter(model_id=MODEL).row(0, named=True)
        w = drift_monitor.default_windows(con, str(root), MODEL, v["version"])
    finally:
        con.close()
    rows = (_feature_rows(MODEL, v["version"], w.ref_start, w.ref_end, "ref")
            + _feature_rows(MODEL, v["version"], w.cur_start, w.cur_end, "cur"))
    buf = io.BytesIO()
    pl.DataFrame(rows, infer_schema_length=None).write_csv(buf)
    ingest.ingest(root, "features", [("payloads.csv", buf.getvalue())], actor="attacker")  # what `scaleboard ingest` runs
    record.record(root, items.Change("monitoring_dashboards", title=TITLE), actor="attacker")
    pipeline.refresh(root)
    for name in FILE_NAMES:  # unreadable files: their names reach the health banner
        (root / "models" / name).write_bytes(b"not parquet")


@pytest.fixture(scope="module")
def poisoned(demo_root: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xss") / "lakehouse"
    shutil.copytree(demo_root, root)
    poison(root)
    return root


@pytest.fixture(scope="module")
def served(poisoned: Path, tmp_path_factory):
    env, sign_in = bench_user(tmp_path_factory.mktemp("users"), "admin")
    with e2e.streamlit_server(poisoned, env=env) as (url, _proc), e2e.browser() as b:
        yield url, b, sign_in


def _open(served, path: str):
    url, b, sign_in = served
    context = b.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url + path)
    sign_in(page)
    return page, dialogs


def _wait_text(page, text: str, shot: str) -> None:
    try:
        page.get_by_text(text).first.wait_for(timeout=e2e.DEADLINE_MS)
    except Exception:
        e2e.screenshot(page, f"security_{shot}_timeout")
        raise


def _app_frames(page) -> list:
    """The top window and every frame sharing the app's origin (the sandboxed report has 'null')."""
    origin = page.evaluate("self.origin")
    out = []
    for f in page.frames:
        try:
            if f.evaluate("self.origin") == origin:
                out.append(f)
        except Exception:  # a frame detached while we looked
            continue
    return out


def _assert_nothing_ran(page, dialogs: list[str]) -> None:
    frames = _app_frames(page)
    assert frames and frames[0] == page.main_frame
    for f in frames:
        assert f.evaluate("typeof window.__pwned") == "undefined", f"script ran in {f.url}"
        links = f.evaluate(f"[...document.querySelectorAll({LINK_SELECTOR!r})].map(e => e.outerHTML)")
        assert links == [], f"payload link or image in {f.url}: {links}"
    assert dialogs == [], dialogs


def _wait_for_report(page) -> object:
    """The frame holding Evidently's report, once it has drawn the payload column."""
    deadline = time.monotonic() + e2e.DEADLINE_MS / 1000
    while time.monotonic() < deadline:
        for f in page.frames:
            try:
                if f.evaluate("document.body ? document.body.innerText : ''").count("channel") >= 1 \
                        and f.evaluate("self.origin") == "null":
                    return f
            except Exception:
                continue
        page.wait_for_timeout(500)
    raise AssertionError("Evidently's report did not draw in a sandboxed frame")


def test_evidently_report_runs_no_payload_in_the_app(served):
    page, dialogs = _open(served, f"/drift?model={MODEL}&feature=channel")
    _wait_text(page, "Drift by feature", "evidently")
    page.get_by_role("button", name="Build Evidently report").click()
    report = _wait_for_report(page)
    # the report's own scripts ran (it drew) and so did the smuggled one, but only in its sandbox
    assert report.evaluate("typeof window.__pwned") == "number"
    holder = report.parent_frame
    assert holder.evaluate("self.origin") == page.evaluate("self.origin")
    assert holder.evaluate("document.querySelector('iframe').getAttribute('sandbox')") == "allow-scripts"
    page.wait_for_timeout(1000)  # an onerror handler fires after the image fails: give it time to
    _assert_nothing_ran(page, dialogs)
    e2e.screenshot(page, "security_evidently_sandboxed")


def test_payload_names_render_as_text(served):
    page, dialogs = _open(served, f"/drift?model={MODEL}")
    _wait_text(page, "Drift by feature", "names")
    # the health banner names each unreadable file literally, as text
    banner = page.locator("[data-testid='stAlert']").filter(has_text="could not be read")
    banner.first.wait_for(timeout=e2e.DEADLINE_MS)
    text = plain(banner.first.inner_text())  # as read: the invisible joiners that break bare links aside
    for name in FILE_NAMES:
        assert name in text, (name, text)
    _assert_nothing_ran(page, dialogs)

    page2, dialogs2 = _open(served, "/readiness")
    warning = page2.locator("[data-testid='stAlert']").filter(has_text="is marked done")
    warning.first.wait_for(timeout=e2e.DEADLINE_MS)
    assert TITLE in plain(warning.first.inner_text())
    _assert_nothing_ran(page2, dialogs2)
    assert SCRIPT and MARKDOWN  # the corpus is not empty


def test_readiness_history_downloads_as_csv(served):
    page, dialogs = _open(served, "/readiness")
    button = page.locator(".st-key-dl_readiness_history button")
    got = e2e.download(page, button)
    rows = list(csv.DictReader(io.StringIO(Path(got.path()).read_text())))
    assert rows, "the history CSV has rows"
    assert {"event_at", "actor", "title", "status", "cleared"} <= set(rows[0])
    assert page.locator("[data-testid='stException']").count() == 0
    _assert_nothing_ran(page, dialogs)
