"""The load benchmark's ceiling: a minimal Starlette app that returns fixed bytes (the results page as the
real app rendered it), served by the same uvicorn with the same number of workers.

``BENCH_BODY_FILE`` names the file with the bytes; ``BENCH_CONTENT_TYPE`` their media type.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ.get("BENCH_BODY_FILE", os.devnull)).read_bytes()
CONTENT_TYPE = os.environ.get("BENCH_CONTENT_TYPE", "text/html; charset=utf-8")


async def page(request: Request) -> Response:
    return Response(BODY, media_type=CONTENT_TYPE)


app = Starlette(routes=[Route("/{path:path}", page)])
