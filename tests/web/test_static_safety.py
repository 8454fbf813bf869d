"""The web app's own files: no HTML parsing of data, no eval, nothing inline, nothing remote.

A static scan, so that a regression is caught even where no browser test looks: the
Content-Security-Policy would block inline code and remote scripts at run time, but
``innerHTML`` with a note's text would still inject markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.routes.web import STATIC_DIR

SCRIPTS = sorted(STATIC_DIR.rglob("*.js"))
STYLES = sorted(STATIC_DIR.rglob("*.css"))
PAGES = sorted(STATIC_DIR.rglob("*.html"))

# Sinks that parse strings as HTML or code.
FORBIDDEN_JS = {
    "innerHTML": re.compile(r"\binnerHTML\b"),
    "outerHTML": re.compile(r"\bouterHTML\b"),
    "insertAdjacentHTML": re.compile(r"\binsertAdjacentHTML\b"),
    "document.write": re.compile(r"\bdocument\s*\.\s*write(ln)?\b"),
    "eval": re.compile(r"(?<![\w.])eval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\s*\("),
    "string timer": re.compile(r"\bset(Timeout|Interval)\s*\(\s*['\"`]"),
    "createContextualFragment": re.compile(r"\bcreateContextualFragment\b"),
    "DOMParser": re.compile(r"\bDOMParser\b"),
    "srcdoc": re.compile(r"\bsrcdoc\b"),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "inline style attribute": re.compile(r"setAttribute\(\s*['\"]style['\"]"),
    "inline handler attribute": re.compile(r"setAttribute\(\s*['\"]on[a-z]+['\"]"),
}
# Any absolute URL a file could fetch; the SVG namespace is a name, not a request.
REMOTE = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
ALLOWED_REMOTE = {"http://www.w3.org/2000/svg", "//www.w3.org"}


def _strip_comments(source: str) -> str:
    # Comments may mention the forbidden names (this very policy); code may not.
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    return re.sub(r"(?m)(^|[^:'\"`\\])//.*$", r"\1", source)


def _remote_urls(text: str) -> list[str]:
    return [m for m in REMOTE.findall(text) if not any(m.startswith(a) or a.startswith(m)
                                                       for a in ALLOWED_REMOTE)]


def test_the_app_has_files_to_scan() -> None:
    names = {p.relative_to(STATIC_DIR).as_posix() for p in [*SCRIPTS, *STYLES, *PAGES]}
    assert {"index.html", "app.js", "app.css"} <= names
    assert len(SCRIPTS) >= 5


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(STATIC_DIR).as_posix())
def test_scripts_never_parse_html_or_code(path: Path) -> None:
    code = _strip_comments(path.read_text(encoding="utf-8"))
    found = [name for name, pattern in FORBIDDEN_JS.items() if pattern.search(code)]
    assert not found, f"{path.name} uses {found}: build DOM nodes and use textContent"
    assert not _remote_urls(code), f"{path.name} names a remote URL: {_remote_urls(code)}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_have_no_inline_code_or_style_and_load_nothing_remote(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL | re.IGNORECASE):
        attributes, body = match.groups()
        assert "src=" in attributes and not body.strip(), "inline script in " + path.name
    assert not re.search(r"<style\b", html, re.IGNORECASE), "inline <style> in " + path.name
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE), "style attribute in " + path.name
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), f"handler attribute: {path.name}"
    for url in re.findall(r"(?:src|href)\s*=\s*[\"']([^\"']+)", html):
        assert url.startswith("/static/"), f"{path.name} loads {url} from outside /static"


@pytest.mark.parametrize("path", STYLES, ids=lambda p: p.name)
def test_styles_import_nothing_remote(path: Path) -> None:
    css = path.read_text(encoding="utf-8")
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", css, re.IGNORECASE)
    assert not _remote_urls(css)


def test_the_scan_catches_what_it_forbids(tmp_path: Path) -> None:
    # The patterns must match real uses, or the scan above could never fail.
    samples = {
        "innerHTML": "el.innerHTML = note;",
        "outerHTML": "x.outerHTML=y",
        "insertAdjacentHTML": "el.insertAdjacentHTML('beforeend', s)",
        "document.write": "document.write(s)",
        "eval": "const f = eval(code);",
        "new Function": "new Function('return 1')",
        "string timer": "setTimeout('run()', 5)",
        "inline style attribute": "el.setAttribute('style', 'color:red')",
        "inline handler attribute": "el.setAttribute(\"onclick\", s)",
    }
    for name, sample in samples.items():
        assert FORBIDDEN_JS[name].search(_strip_comments(sample)), name
    assert not FORBIDDEN_JS["eval"].search("retrieval(x); medieval(y)")
    assert _remote_urls("fetch('https://cdn.example.com/x.js')")
    assert not _remote_urls("document.createElementNS('http://www.w3.org/2000/svg', 'g')")
    assert not FORBIDDEN_JS["innerHTML"].search(_strip_comments("// never innerHTML here"))
