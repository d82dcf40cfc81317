"""`scaleboard digest`: send the week's summary (what changed, alerts opened and resolved, value and
ROI, readiness) by e-mail with the overview PDF and XLSX attached, or to Slack (summary only).

Run it from cron or Airflow (README). Settings come from the environment: SCALEBOARD_SMTP_HOST,
_PORT, _USER, _PASSWORD, _STARTTLS, _FROM for e-mail; SCALEBOARD_SLACK_WEBHOOK for Slack.

Exit codes: 0 = sent with everything; 1 = sent, but a part could not be rendered (the e-mail says
why, and its owner is copied) or the summary itself failed (the owner is told); 2 = bad arguments,
missing settings, or the server refused the message (nothing sent).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from analytics.cli.common import add_root_option, root_of
from analytics.cli.report import add_scope_options, resolve_scope
from analytics.errors import InputError
from analytics.lakehouse import connection
from analytics.report import digest as digest_mod
from analytics.report import send
from analytics.report.pdf import PAPERS, warm_up

SLACK_NOTE = ("Slack webhooks cannot carry files, so the PDF and XLSX are not attached: get them with "
              "`scaleboard report overview --out overview.pdf --xlsx overview.xlsx` or the overview's "
              "Download PDF button.")


def _when(text: str) -> datetime:
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of {text!r} is not an ISO date or time") from None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("digest", help="send the weekly digest by e-mail (PDF + XLSX attached) or to Slack",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_root_option(p)
    p.add_argument("--to", nargs="+", default=[], metavar="ADDRESS", help="e-mail recipients")
    p.add_argument("--channel", choices=("email", "slack"), default="email", help="where to send (default email)")
    p.add_argument("--owner", default=os.environ.get("SCALEBOARD_DIGEST_OWNER") or None, metavar="ADDRESS",
                   help="who is told when a part fails (default $SCALEBOARD_DIGEST_OWNER, else the recipients)")
    p.add_argument("--as-of", type=_when, default=None,
                   help="the week ends at this UTC time (default now), e.g. to resend last Monday's digest")
    p.add_argument("--paper", choices=list(PAPERS), default="a4", help="PDF page size (default a4)")
    add_scope_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.channel == "slack":
        return _slack(args)
    if not args.to:
        raise InputError("Say who gets the digest: --to ADDRESS [ADDRESS ...].")
    smtp = send.SmtpSettings.from_env()
    owner = [args.owner] if args.owner else args.to
    warm_up()  # the chart renderer starts while the queries run
    con = connection.connect(root_of(args))
    try:
        scope = resolve_scope(con, args)
        try:
            digest = digest_mod.build(con, scope, now=args.as_of)
        except Exception as exc:  # the owner must hear why there is no digest this week
            msg = send.email_message(smtp, to=owner, subject="Scaleboard weekly digest could not be built",
                                     body=f"The weekly digest could not be built: {type(exc).__name__}: {exc}\n\n"
                                          "Run `scaleboard doctor` and `scaleboard digest` again.")
            send.send_email(smtp, msg)
            print(f"error: the digest could not be built ({exc}); told {', '.join(owner)}", file=sys.stderr)
            return 1
    finally:
        con.close()
    attachments, failures = _render(digest, args.paper)
    if failures:
        note = ("The attachments could not be rendered, so this e-mail has none: " + "; ".join(failures)
                + f". The digest's owner ({', '.join(owner)}) is copied. Retry with `scaleboard report overview "
                  "--out overview.pdf --xlsx overview.xlsx`.")
    else:
        note = "Attached: the overview as PDF and its tables as XLSX (one sheet per table)."
    cc = [o for o in owner if o not in args.to] if failures else []
    msg = send.email_message(smtp, to=args.to, cc=cc, subject=digest.subject(), body=digest.text(note),
                             attachments=attachments)
    send.send_email(smtp, msg)
    print(f"sent '{digest.subject()}' to {', '.join(args.to + cc)} with {len(attachments)} attachment(s)")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _render(digest: digest_mod.Digest, paper: str) -> tuple[list[send.Attachment], list[str]]:
    """The PDF and the XLSX as attachments, and what failed. When either fails none is attached (the
    e-mail says why), so nobody takes half a pack for the whole."""
    from analytics.report import overview

    stamp = f"{digest.week_end:%Y%m%d}"
    files, failures = [], []
    for label, make, name, mime in (
            ("PDF", lambda: overview.render_pdf(digest.pack, paper=paper), f"scaleboard-overview-{stamp}.pdf",
             send.PDF_TYPE),
            ("XLSX", lambda: overview.render_xlsx(digest.pack), f"scaleboard-overview-{stamp}.xlsx", send.XLSX_TYPE)):
        try:
            files.append(send.Attachment(name, make(), mime))
        except Exception as exc:  # reported in the e-mail and on stderr, exit 1
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
    return ([] if failures else files), failures


def _slack(args: argparse.Namespace) -> int:
    url = send.slack_webhook()
    if args.to:
        print("note: --to is ignored for Slack (the webhook decides the channel)", file=sys.stderr)
    con = connection.connect(root_of(args))
    try:
        scope = resolve_scope(con, args)
        try:
            digest = digest_mod.build(con, scope, now=args.as_of)
        except Exception as exc:
            send.send_slack(url, {"text": f"The Scaleboard weekly digest could not be built: "
                                          f"{type(exc).__name__}: {exc}"})
            print(f"error: the digest could not be built ({exc})", file=sys.stderr)
            return 1
    finally:
        con.close()
    send.send_slack(url, digest.slack(SLACK_NOTE))
    print(f"posted '{digest.subject()}' to Slack")
    return 0
