"""The weekly digest: what changed, alerts opened and resolved in the week, value and ROI, readiness.

``build`` reads the same overview pack the PDF prints (so the digest's figures are the PDF's) plus
the alert changes of the week (``digest_alert_changes.sql``) and the readiness items whose status
moved in the week. ``Digest.text()`` is the e-mail body; ``Digest.slack()`` the Slack message.
The week is the seven days up to ``now`` (UTC), whatever the value window (``scope``) is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl

from analytics import sql
from analytics.product import kpis
from analytics.product.scope import Scope
from analytics.readiness.state import state as readiness_state
from analytics.report import fmt
from analytics.report import overview as overview_report
from analytics.report.scope import describe, window

WEEK = timedelta(days=7)
MAX_LISTED = 15  # alerts listed per section; the rest are counted


@dataclass(frozen=True)
class Digest:
    week_start: datetime
    week_end: datetime
    pack: overview_report.OverviewPack
    alert_changes: pl.DataFrame  # digest_alert_changes rows
    readiness_moves: pl.DataFrame  # title, owner, status_before, status_now

    @property
    def opened(self) -> pl.DataFrame:
        return self.alert_changes.filter(pl.col("change") == "opened")

    @property
    def resolved(self) -> pl.DataFrame:
        return self.alert_changes.filter(pl.col("change") == "resolved")

    def week(self) -> str:
        last = self.week_end - timedelta(seconds=1)
        return f"{self.week_start:%-d %b} – {last:%-d %b %Y}"

    def subject(self) -> str:
        return (f"Scaleboard weekly digest, {self.week()}: {self.opened.height} alert(s) opened, "
                f"{self.resolved.height} resolved")

    def sections(self) -> list[tuple[str, list[str]]]:
        """(heading, lines) in reading order; both text and Slack render these."""
        p, fig = self.pack, self.pack.figures
        v = fig["value_delivered"].extra  # benefit_usd, cost_usd of the window
        changed = [f"{t.title}: {t.value}" + (f" ({t.delta} vs previous period)" if t.delta else "")
                   + (f"; {t.note}" if t.note else "") for t in overview_report.tiles(p)]
        value = [f"Benefit {fmt.usd(v['benefit_usd'])}, cost {fmt.usd(v['cost_usd'])}, net "
                 f"{fmt.usd(fig['value_delivered'].value)}, ROI {fmt.by_unit(kpis.kpi('portfolio_roi').unit, fig['portfolio_roi'].value)} over "
                 f"{window(p.scope)}",
                 f"Value to date {fmt.usd(fig['value_to_date'].value)}; monthly value at risk "
                 f"{fmt.usd(fig['value_at_risk'].value)} across {fig['models_at_risk'].value} model(s)"]
        rd, ready_kpi = p.readiness, fig.get("readiness_progress")
        if rd is None or ready_kpi is None:
            ready = [p.readiness_error or "The readiness checklist could not be read."]
        else:
            ready = [f"{fmt.pct(ready_kpi.value)} done ({ready_kpi.extra['n_done']} of {ready_kpi.extra['n_items']}), "
                     f"{rd.n_overdue} late, {rd.n_blocked} blocked"]  # the tile's figure, the checklist's counts
            ready += [f"Moved this week: {r['title']} ({r['owner']}) {_word(r['status_before'])} -> "
                      f"{_word(r['status_now'])}" for r in self.readiness_moves.iter_rows(named=True)]
            late = rd.items.filter(pl.col("is_overdue")) if rd.items is not None else pl.DataFrame()
            ready += [f"Late: {r['title']} ({r['owner']}), due {r['due_date']:%-d %b %Y}"
                      for r in late.iter_rows(named=True)]
        return [("What changed", changed),
                (f"Alerts opened this week ({self.opened.height})", _alert_lines(self.opened)),
                (f"Alerts resolved this week ({self.resolved.height})", _alert_lines(self.resolved)),
                ("Value and ROI", value), ("Readiness", ready)]

    def text(self, note: str = "") -> str:
        """The plain-text body; ``note`` (e.g. about the attachments) goes at the end."""
        sc = self.pack.scope
        out = [f"Scaleboard weekly digest, week of {self.week()} (UTC)",
               f"Figures over {describe(sc)}; deltas compare with the previous {window(sc.previous)}.", ""]
        for heading, lines in self.sections():
            out += [heading, *(f"- {line}" for line in lines or ["none"]), ""]
        if note:
            out += [note, ""]
        return "\n".join(out)

    def slack(self, note: str) -> dict:
        """A Slack incoming-webhook payload (Block Kit, with plain text as the fallback)."""
        blocks = [{"type": "header", "text": {"type": "plain_text", "text": self.subject()[:150]}}]
        for heading, lines in self.sections():
            body = "\n".join(f"• {_slack_escape(line)}" for line in lines or ["none"])
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{heading}*\n{body}"[:3000]}})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(note)}]})
        return {"text": self.subject(), "blocks": blocks}


def _word(status: str | None) -> str:
    return (status or "none").replace("_", " ")


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _alert_lines(df: pl.DataFrame) -> list[str]:
    lines = [f"[{r['severity']}] {r['name'] or r['model_id']} ({r['business_unit'] or '–'}): {r['message']}; "
             f"{fmt.usd(r['value_at_risk_usd'])} a month at risk" for r in df.head(MAX_LISTED).iter_rows(named=True)]
    if df.height > MAX_LISTED:
        lines.append(f"… and {df.height - MAX_LISTED} more (Overview page)")
    return lines


def build(con: duckdb.DuckDBPyConnection, scope: Scope, *, now: datetime | None = None) -> Digest:
    """The digest for the week up to ``now`` (default: this moment), figures over ``scope``."""
    end = (now or datetime.now(UTC)).astimezone(UTC)
    start = end - WEEK
    pack = overview_report.overview_pack(con, scope, now=end, readiness_as_of=end.date())
    changes = sql.run(con, "digest_alert_changes", start_at=start, end_at=end,
                      business_units=list(scope.units) if scope.units else None)
    before = readiness_state(con, as_of=start.date()).select("item_id", status_before="status")
    now_items = pack.readiness.items if pack.readiness is not None and pack.readiness.items is not None else None
    moves = (now_items.join(before, on="item_id", how="left")
             .filter(pl.col("status_before").is_null() | (pl.col("status_before") != pl.col("status")))
             .select("title", "owner", "status_before", status_now="status")
             if now_items is not None else pl.DataFrame())
    return Digest(start, end, pack, changes, moves)
