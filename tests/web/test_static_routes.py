"""`/` and `/static/*`: public, strict headers, revalidated, nothing outside the folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.web import STATIC_DIR, resolve_static
from kambot.config import Settings
from kambot.errors import NotFoundError


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("web-static") / "data"
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_page_is_public_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<script type="module" src="/static/app.js">' in response.text


@pytest.mark.parametrize(("path", "media_type"), [
    ("/static/app.js", "text/javascript"),
    ("/static/js/views/matrix.js", "text/javascript"),
    ("/static/app.css", "text/css"),
    ("/static/icon.svg", "image/svg+xml"),
])
def test_static_files_are_served_with_their_type(client: TestClient, path: str,
                                                 media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content == (STATIC_DIR / path.removeprefix("/static/")).read_bytes()
    assert response.headers["cache-control"] == "no-cache"


def test_an_unchanged_file_answers_304(client: TestClient) -> None:
    first = client.get("/static/app.css")
    etag = first.headers["etag"]
    again = client.get("/static/app.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/static/app.css", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_head_gives_the_length_without_the_body(client: TestClient) -> None:
    response = client.head("/static/app.js")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == (STATIC_DIR / "app.js").stat().st_size
    assert response.content == b""


@pytest.mark.parametrize("path", [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
    "/static/js/../../routes/web.py", "/static/.hidden.js", "/static/nope.js",
    "/static/", "/static/js", "/static/app.py",
])
def test_nothing_outside_the_folder_or_of_another_type_is_served(client: TestClient,
                                                                 path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text


def test_static_routes_stay_out_of_the_api_schema(client: TestClient) -> None:
    from api.routes import web

    paths = {route.path for route in web.router.routes}  # type: ignore[attr-defined]
    assert paths == {"/", "/static/{path:path}"}
    assert all(not route.include_in_schema for route in web.router.routes)  # type: ignore[attr-defined]


def test_resolve_refuses_a_symlink_leaving_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (tmp_path / "secret.js").write_text("secret")
    (root / "link.js").symlink_to(tmp_path / "secret.js")
    (root / "ok.js").write_text("ok")
    assert resolve_static("ok.js", root) == (root / "ok.js").resolve()
    with pytest.raises(NotFoundError):
        resolve_static("link.js", root)
