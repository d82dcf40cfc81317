"""Script and markdown payloads for lakehouse values, feature (column) names and file names.

Each script payload tries to set ``__pwned`` on the top window, its parent and its own window, and to
open a dialog; each markdown payload tries to become a link or an image to ``evil.example``. A test
passes when none of that happens in the app's origin.
"""

from __future__ import annotations

JS = "try{top.__pwned=1}catch(e){};try{parent.__pwned=1}catch(e){};window.__pwned=1;alert(1)"

SCRIPT = [
    f'</script><img src=x onerror="{JS}">',  # the case: breaks out of Evidently's data script
    f"<script>{JS}</script>",
    f"<svg onload=\"{JS}\"></svg>",
    f'<a href="javascript:{JS}">pwn-a</a>',
    f"javascript:{JS}",
    f"\"'><iframe srcdoc=\"<script>{JS}</script>\"></iframe>",
]
MARKDOWN = [
    "[pwn-link](https://evil.example/x)",
    "![pwn-img](https://evil.example/i.png)",
    "www.evil.example",
    "<https://evil.example/auto>",
    "ops@evil.example",
    "$\\href{https://evil.example}{pwn-math}$",
    "**bold** :red[pwn-red] `code`",
]
VALUES = SCRIPT + MARKDOWN

# feature names become drift-table rows, chart titles, warnings and Evidently column names
FEATURE_NAMES = [
    f"feat</script><img src=x onerror=\"{JS}\">",
    "feat [pwn-link](https://evil.example/f)",
    "feat www.evil.example",
]

# file names: no "/" (not allowed in a name), so links use scheme-less forms
FILE_NAMES = [
    "part-<img src=x onerror=window.__pwned=1>.parquet",
    "part-[pwn-file](https:evil.example).parquet",
    "part-www.evil.example.parquet",
    "part-ops@evil.example.parquet",
]

# what must never appear in the app's own documents after rendering any of the above
LINK_SELECTOR = 'a[href*="evil.example"], a[href^="javascript:"], img[src*="evil.example"]'
