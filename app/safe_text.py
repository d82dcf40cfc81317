"""Lakehouse text meets HTML and markdown only through here.

The lakehouse's contents are not trusted (docs/security.md, threat model): anyone who can write a
Parquet file or run ``scaleboard ingest`` controls model names, feature names and values, titles,
notes and file names. Streamlit renders the body of ``st.markdown``, ``st.caption``, ``st.info``,
``st.warning``, ``st.error``, ``st.success`` and ``st.toast`` as markdown, so such text could
become a link (``[x](https://…)``, ``www.x.com``), an image, a heading or a formula. ``md`` makes
it literal; ``sandboxed_document`` embeds a whole untrusted HTML page (Evidently's report) so its
scripts run without the app's origin.
"""

from __future__ import annotations

import html
import re

# every character with inline meaning in CommonMark, GFM or Streamlit's markdown: escapes, code,
# emphasis, links and images, HTML and entities, strikethrough, math ($), directives, icons and
# emoji (:), tables, headings. "-" and "." stay readable (file names).
_INLINE = re.compile(r"[\\`*_\[\]()<>!&~$:|#{}@]")
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")  # a list, rule or heading underline at the start
# GFM finds bare links (www.x.com, https://x, a@b.c) in the text *after* escapes are resolved, so a
# backslash cannot stop them: an invisible WORD JOINER breaks the pattern and reads the same.
JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(www)(?=\.)|(https?|ftp|mailto|xmpp)(?=\\?:)|(?=\\?@)")


def md(value: object) -> str:
    """``value`` as literal text inside markdown: characters with markdown meaning backslash-escaped
    (links, emphasis, HTML, math and Streamlit directives lose their syntax), bare links broken with
    an invisible joiner, and line breaks folded to spaces (no new block: heading, list, quote)."""
    text = " ".join(str(value).splitlines())
    text = _AUTOLINK.sub(lambda m: m.group(0) + JOINER, text)
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    return _BLOCK_START.sub(lambda m: m.group(1) + (m.group(2)[:-1] + "\\" + m.group(2)[-1]), text)


def plain(rendered: str) -> str:
    """Text as a reader sees it after ``md`` (without the joiners), for tests and comparisons."""
    return rendered.replace(JOINER, "")


# allow-scripts only: no allow-same-origin (the frame gets an opaque origin, so its scripts cannot
# reach the app's page, cookies or storage), no top navigation, no popups, no forms, no modals.
REPORT_SANDBOX = "allow-scripts"
# and nothing leaves the browser from inside the report: no fetch, no images or fonts from the network
REPORT_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
              "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")


def sandboxed_document(untrusted_html: str, *, height_px: int = 900) -> str:
    """An HTML page holding ``untrusted_html`` in an iframe sandboxed to ``allow-scripts`` (opaque
    origin) with a content security policy that blocks the network. The untrusted page travels
    HTML-escaped in ``srcdoc``, so it cannot break out of the attribute."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">'
    at = untrusted_html.lower().find("<head>")  # the policy belongs in the head, before any script
    inner = (untrusted_html[:at + 6] + meta + untrusted_html[at + 6:]) if at >= 0 else meta + untrusted_html
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<style>html,body{margin:0;padding:0}iframe{border:0;width:100%}</style></head><body>"
        f'<iframe title="Evidently report" sandbox="{REPORT_SANDBOX}" referrerpolicy="no-referrer" '
        f'style="height:{int(height_px)}px" srcdoc="{html.escape(inner, quote=True)}"></iframe>'
        "</body></html>"
    )
