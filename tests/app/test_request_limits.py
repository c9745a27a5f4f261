"""Issue 14: body limits before CSRF/login, HEAD for pages, an OpenAPI document of the public API only."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from app.request_limits import PRIVATE_MAX_BYTES, PUBLIC_MAX_BYTES


def test_an_oversized_anonymous_post_is_refused_before_csrf_and_login(client: TestClient) -> None:
    body = b"email=x&passwort=" + b"a" * (PUBLIC_MAX_BYTES + 1)
    response = client.post(
        "/anmelden", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413  # not 403 (CSRF) or 400 (login): nothing read it
    assert "zu groß" in response.text
    small = client.post("/anmelden", data={"email": "x", "passwort": "y"})
    assert small.status_code == 403  # within the limit the CSRF check answers as before


def test_a_body_without_length_is_counted_while_it_streams(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(PUBLIC_MAX_BYTES // 1024 + 2):
            yield b"a" * 1024

    response = client.post(
        "/anmelden",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_private_areas_allow_more_but_not_everything(client: TestClient) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    too_big = client.post("/anbieter/angebote/x", content=b"a" * (PRIVATE_MAX_BYTES + 1), headers=headers)
    assert too_big.status_code == 413
    fits = client.post("/anbieter/angebote/x", content=b"a" * (PUBLIC_MAX_BYTES * 2), headers=headers)
    assert fits.status_code != 413


def test_head_is_answered_for_get_pages(client: TestClient) -> None:
    for path in ("/", "/angebote", "/foerderung", "/daten", "/api/v1/offers"):
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.head("/gibt-es-nicht").status_code == 404


def test_openapi_publishes_only_the_public_api(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    paths = set(document["paths"])
    assert paths >= {"/api/v1/offers", "/api/v1/funding"}
    assert all(path.startswith("/api/") for path in paths), sorted(
        p for p in paths if not p.startswith("/api/")
    )
