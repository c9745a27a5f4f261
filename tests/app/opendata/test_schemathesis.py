"""Property-based check of /api/v1 against its own OpenAPI document: no server errors, no schema violations.

Runs against the ASGI app on seeded data (offers indexed in the embedded search engine, LSZ grants), on
SQLite and PostgreSQL. Every documented operation under /api/v1 gets generated valid and invalid requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlmodel import Session

from app.main import create_app
from app.settings import Settings
from search.indexing import index_offers
from tests import factories
from tests.app.opendata.conftest import Catalogue

MAX_EXAMPLES = 40


@pytest.fixture
def api_schema(
    settings: Settings, engine: Engine, session: Session, catalogue: Catalogue
) -> Iterator[schemathesis.BaseSchema]:
    factories.foerderung(session, traeger_row=catalogue.traeger, jahr=2021, ortsteile=("jena-zentrum",))
    factories.foerderung(
        session, traeger_row=catalogue.traeger, jahr=2022, stadtweit=True, handlungsfeld_number=6
    )
    session.commit()
    outcome = index_offers(engine, settings)
    assert outcome.ok, outcome.message
    app = create_app(settings)
    # Everything the document publishes is checked (it publishes only the public API, issue 14).
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    app.state.engine.dispose()


# What "0 server errors, 0 schema violations" means here: every response – to valid AND to deliberately
# invalid requests – is no 5xx, has a documented status code, content type and headers, and matches its
# documented schema. Not checked are Schemathesis' acceptance heuristics: the API is lenient by design (an
# empty form field counts as absent, vocabulary labels work like codes, "ja" like true) and validates ids and
# district names against the database (a well-formed but unknown Träger gets a German 422).
@schemathesis.check
def body_is_documented(ctx: CheckContext, response: Response, case: schemathesis.Case) -> bool | None:
    """Stricter than ``content_type_conformance`` (which passes responses documented without a content): a
    response with a body must have its status code documented with that media type."""
    responses = case.operation.definition.raw.get("responses", {})
    documented = responses.get(str(response.status_code)) or responses.get("default")
    if documented is None:
        raise AssertionError(f"{case.operation.label}: Status {response.status_code} ist nicht dokumentiert")
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if response.content and content_type not in documented.get("content", {}):
        raise AssertionError(
            f"{case.operation.label}: {response.status_code} liefert {content_type or 'ohne Typ'}, "
            f"dokumentiert: {sorted(documented.get('content', {})) or 'kein Inhalt'}"
        )
    return None


CHECKS = [
    body_is_documented,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _has_parameters(operation: schemathesis.APIOperation) -> bool:
    return any(len(group) for group in (operation.query, operation.path_parameters, operation.headers))


# Schemathesis' pytest plugin (``from_fixture``) does not work with pytest 9 yet, so drive Hypothesis
# directly: one property per operation and generation mode (valid requests and deliberately invalid ones).
@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_api_v1_conforms_to_its_openapi(
    api_schema: schemathesis.BaseSchema, mode: schemathesis.GenerationMode
) -> None:
    operations = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), f"OpenAPI-Dokument fehlerhaft: {result.err()}"
        operations.append(result.ok())
    assert {op.path for op in operations} >= {"/api/v1/offers", "/api/v1/funding"}
    for operation in operations:
        if mode is schemathesis.GenerationMode.NEGATIVE and not _has_parameters(operation):
            continue  # nothing to make invalid

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            # Only in negative mode: e.g. a free-text path id has no invalid value to generate.
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.path
