"""Files the browser saves (CSV, workbooks, archives): one way to name them."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(
    body: bytes, filename: str, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    """``body`` as a download saved under ``filename`` (a plain ASCII name: no quoting needed)."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers={**disposition, **(headers or {})})
