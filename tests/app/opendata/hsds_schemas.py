"""Validators for the vendored official HSDS 3.0 compiled schemas (tests/schemas/hsds, CC BY-SA 4.0)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "hsds"

# jsonschema checks uuid/date/email itself; date-time and uri need extra packages, so check them here.
FORMATS = FormatChecker()
for name, checker in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[name] = checker


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@cache
def load(file_name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / file_name).read_text(encoding="utf-8"))
    return data


@cache
def validator(file_name: str, definition: str | None = None) -> Draft202012Validator:
    """A validator for a compiled file, or for one of the shared definitions of service_with_definitions."""
    schema = load(file_name)
    if definition is not None:
        schema = {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    return Draft202012Validator(schema, format_checker=FORMATS)


def errors(obj: Any, file_name: str, definition: str | None = None) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator(file_name, definition).iter_errors(obj)
    ]


def assert_valid(obj: Any, file_name: str, definition: str | None = None) -> None:
    found = errors(obj, file_name, definition)
    assert not found, f"HSDS ({file_name} {definition or ''}) verletzt: {found[:5]}"


def tabular_columns() -> dict[str, tuple[str, list[str]]]:
    """table → (file name, CSV columns = the non-array fields) from the official tabular.json."""
    result = {}
    for table, spec in load("tabular.json")["properties"].items():
        item = spec["items"]
        columns = [k for k, v in item["properties"].items() if v.get("type") != "array"]
        result[table] = (item["path"], columns)
    return result
