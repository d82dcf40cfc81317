"""The escaping helper on its own: every payload keeps its text and loses its syntax. (What the
browser makes of it is tests/security/test_xss_browser.py.)"""

from __future__ import annotations

import html
import re

import pytest
from xss_corpus import FEATURE_NAMES, FILE_NAMES, VALUES

from app.safe_text import JOINER, REPORT_SANDBOX, md, plain, sandboxed_document

UNESCAPED = re.compile(r"(?<!\\)[\[\]()<>`*_$:!@&|~#{}]")


@pytest.mark.parametrize("payload", VALUES + FEATURE_NAMES + FILE_NAMES)
def test_payload_syntax_is_escaped_and_text_kept(payload):
    out = md(payload)
    assert not UNESCAPED.search(out.replace("\\\\", "")), out
    assert "\n" not in out
    assert re.sub(r"\\(.)", r"\1", plain(out)) == payload  # the reader sees exactly the value


@pytest.mark.parametrize("bare", ["www.evil.example", "https://evil.example", "ops@evil.example", "WWW.E.X"])
def test_bare_links_are_broken(bare):
    assert JOINER in md(bare)


@pytest.mark.parametrize("start", ["- item", "+ item", "1. item", "3) item", "# head", "> quote", "=== "])
def test_no_block_starts(start):
    out = md(start)
    assert out[0] == "\\" or out[1] == "\\" or out[:2].isdigit(), out
    assert re.match(r"^(\d+)\\[.)]", out) or out.startswith("\\"), out


def test_report_is_sandboxed_and_cannot_break_out():
    evil = '<html><head></head><body>"></iframe><script>top.__pwned=1</script></body></html>'
    doc = sandboxed_document(evil)
    frames = re.findall(r"<iframe [^>]*>", doc)
    assert len(frames) == 1 and f'sandbox="{REPORT_SANDBOX}"' in frames[0]
    assert REPORT_SANDBOX == "allow-scripts"  # never allow-same-origin
    assert "<script>" not in doc  # the whole report sits escaped inside srcdoc
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', doc).group(1))
    assert inner.startswith("<html><head><meta http-equiv=\"Content-Security-Policy\"")
    assert "connect-src 'none'" in inner and inner.endswith(evil[len("<html><head>"):])
