"""A readable, self-hosted view of our OpenAPI document (no Swagger UI: that loads from a CDN).

Only the public JSON interfaces under ``/api/`` are listed, grouped by tag, with parameters and examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC_API_PREFIX = "/api/"


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    type: str
    description: str
    example: str | None


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    responses: list[tuple[str, str]]
    example_url: str | None
    example_response: str | None


@dataclass
class Section:
    title: str
    operations: list[Operation] = field(default_factory=list)


def _resolve(document: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    ref = obj.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return obj
    target: Any = document
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return target if isinstance(target, dict) else {}


MAX_ENUM_VALUES = 15
# FastAPI's default response descriptions, in German for the page.
RESPONSE_TEXTS = {"Successful Response": "Erfolgreiche Antwort", "Validation Error": "Ungültige Eingabe"}


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"] if s.get("type") != "null") or "null"
    if schema.get("type") == "array":
        return f"Liste von {_type_of(schema.get('items', {}))} (Parameter wiederholen)"
    kind = str(schema.get("type", "object"))
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if "minimum" in schema or "maximum" in schema:
        kind += f" {schema.get('minimum', '…')}–{schema.get('maximum', '…')}"
    if "enum" in schema:
        values = [str(v) for v in schema["enum"]]
        shown = ", ".join(values[:MAX_ENUM_VALUES])
        kind += f": {shown}" + (f", … ({len(values)} Werte)" if len(values) > MAX_ENUM_VALUES else "")
    return kind


def _example(param: dict[str, Any]) -> Any:
    schema = param.get("schema", {})
    for source in (param, schema):
        if "example" in source:
            return source["example"]
        examples = source.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        if isinstance(examples, dict) and examples:
            first = next(iter(examples.values()))
            return first.get("value") if isinstance(first, dict) else first
    return None


def _response_example(document: dict[str, Any], responses: dict[str, Any]) -> str | None:
    ok = responses.get("200", {})
    content = ok.get("content", {}).get("application/json", {})
    example = content.get("example")
    if example is None:
        schema = _resolve(document, content.get("schema", {}))
        example = schema.get("example")
        if example is None and isinstance(schema.get("examples"), list) and schema["examples"]:
            example = schema["examples"][0]
    return json.dumps(example, ensure_ascii=False, indent=2) if example is not None else None


def _operation(document: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> Operation:
    params = []
    for raw in op.get("parameters", []):
        param = _resolve(document, raw)
        example = _example(param)
        params.append(
            Parameter(
                name=param.get("name", ""),
                location={"query": "Abfrage", "path": "Pfad", "header": "Kopfzeile"}.get(
                    param.get("in", ""), param.get("in", "")
                ),
                required=bool(param.get("required")),
                type=_type_of(param.get("schema", {})),
                description=param.get("description") or param.get("schema", {}).get("description", ""),
                example=None if example is None else str(example),
            )
        )
    query = {p.name: p.example for p in params if p.location == "Abfrage" and p.example is not None}
    has_path_params = any(p.location == "Pfad" for p in params)
    example_url = None
    if method == "get" and not has_path_params:
        example_url = path + (f"?{urlencode(query)}" if query else "")
    responses = [
        (code, RESPONSE_TEXTS.get(str(r.get("description", "")), str(r.get("description", ""))))
        for code, r in op.get("responses", {}).items()
    ]
    return Operation(
        anchor=op.get("operationId") or f"{method}-{path}",
        method=method.upper(),
        path=path,
        summary=op.get("summary", ""),
        description=op.get("description", ""),
        parameters=params,
        responses=responses,
        example_url=example_url,
        example_response=_response_example(document, op.get("responses", {})),
    )


def sections(document: dict[str, Any]) -> list[Section]:
    """Operations under /api/ grouped by their first tag, in document order."""
    by_tag: dict[str, Section] = {}
    for path, item in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["Allgemein"])[0]
            by_tag.setdefault(tag, Section(tag)).operations.append(_operation(document, path, method, op))
    return list(by_tag.values())


def public_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the public API only (``/api/…``): the HTML pages and the private areas
    (``/verwaltung``, ``/anbieter``) are not an interface and are not published – nor their schemas."""
    if app.openapi_schema is None:
        full = FastAPI.openapi(app)
        paths = {
            path: item for path, item in full.get("paths", {}).items() if path.startswith(PUBLIC_API_PREFIX)
        }
        document = {**full, "paths": paths}
        schemas = full.get("components", {}).get("schemas", {})
        used = _referenced_schemas(paths, schemas)
        if schemas:
            document["components"] = {
                **full["components"],
                "schemas": {name: schema for name, schema in schemas.items() if name in used},
            }
        app.openapi_schema = document
    return app.openapi_schema


def _referenced_schemas(root: Any, schemas: dict[str, Any]) -> set[str]:
    """Names of the component schemas ``root`` refers to, directly or through other schemas."""
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    pending.append(schemas.get(name, {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found
