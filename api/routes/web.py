"""The web app: the page at ``/`` and its files under ``/static`` (public, no credentials).

Files are served from ``api/static`` with revalidation (ETag + ``Cache-Control:
no-cache``) since their names carry no content hash, and with a strict
Content-Security-Policy: scripts, styles and requests only from this origin, no inline
code, no plugins, no framing. The page never renders HTML it receives.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Request, Response

from kambot.errors import NotFoundError

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}

router = APIRouter(include_in_schema=False, tags=["web"])


@dataclass(frozen=True)
class _File:
    body: bytes
    etag: str
    media_type: str
    stamp: tuple[int, int]


_cache: dict[Path, _File] = {}
_lock = threading.Lock()


def _not_found(path: str) -> NotFoundError:
    return NotFoundError(f"no static file {path!r}", hint="the web app lives at /")


def resolve_static(path: str, root: Path = STATIC_DIR) -> Path:
    """Return the file under ``root`` that ``path`` names, refusing anything outside it.

    Raises:
        NotFoundError: the path is empty, hidden, escapes the folder, has a type the web
            app does not serve, or names no file.
    """
    parts = PurePosixPath(path).parts
    if not parts or any(p in ("..", ".") or p.startswith(".") or "\\" in p for p in parts):
        raise _not_found(path)
    candidate = root.joinpath(*parts)
    if candidate.suffix not in MEDIA_TYPES:
        raise _not_found(path)
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, OSError) as exc:
        raise _not_found(path) from exc
    if not resolved.is_file() or not resolved.is_relative_to(root.resolve()):
        raise _not_found(path)
    return resolved


def _load(file: Path) -> _File:
    stat = file.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(file)
        if cached is not None and cached.stamp == stamp:
            return cached
    body = file.read_bytes()
    loaded = _File(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                   media_type=MEDIA_TYPES[file.suffix], stamp=stamp)
    with _lock:
        _cache[file] = loaded
    return loaded


def _respond(request: Request, file: Path) -> Response:
    loaded = _load(file)
    headers = {**SECURITY_HEADERS, "ETag": loaded.etag, "Cache-Control": "no-cache"}
    match = request.headers.get("if-none-match", "")
    if loaded.etag in (tag.strip() for tag in match.split(",")):
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else loaded.body
    response = Response(body, media_type=loaded.media_type, headers=headers)
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(len(loaded.body))
    return response


@router.api_route("/", methods=["GET", "HEAD"])
def index(request: Request) -> Response:
    """Serve the single page of the web app."""
    return _respond(request, resolve_static("index.html"))


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"])
def static(path: str, request: Request) -> Response:
    """Serve one file of the web app (scripts, styles, icons)."""
    return _respond(request, resolve_static(path))
