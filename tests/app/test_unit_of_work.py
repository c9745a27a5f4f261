"""One commit point: the request's unit of work is committed before the response leaves the server."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from starlette.types import Message, Receive, Scope, Send

from app.audit.models import AuditEntry
from app.audit.service import record
from app.deps import SessionDep
from app.main import create_app
from app.settings import Settings


def _audit_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def _app_that_writes(settings: Settings) -> Any:
    app = create_app(settings)

    @app.post("/_test/schreiben")
    def write(session: SessionDep) -> RedirectResponse:
        record(session, actor="test", source="admin", action="t", entity_type="test", entity_id="1")
        return RedirectResponse("/_test/lesen", status_code=303)

    @app.post("/_test/scheitern")
    def fail(session: SessionDep) -> None:
        record(session, actor="test", source="admin", action="t", entity_type="test", entity_id="2")
        raise HTTPException(status_code=409)

    return app


def test_redirect_after_a_write_is_sent_only_after_the_commit(settings: Settings, engine: Engine) -> None:
    app = _app_that_writes(settings)
    seen_at_response_start: list[int] = []

    async def watching(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_and_look(message: Message) -> None:
            if message["type"] == "http.response.start" and scope["path"] == "/_test/schreiben":
                # Another connection, as the browser's next request would use: it must see the write.
                seen_at_response_start.append(_audit_rows(engine))
            await send(message)

        await app(scope, receive, send_and_look)

    with TestClient(watching) as client:
        response = client.post("/_test/schreiben", follow_redirects=False)
    assert response.status_code == 303
    assert seen_at_response_start == [1]


def test_an_error_rolls_the_whole_unit_of_work_back(settings: Settings, engine: Engine) -> None:
    with TestClient(_app_that_writes(settings)) as client:
        assert client.post("/_test/scheitern").status_code == 409
    assert _audit_rows(engine) == 0
