"""``/api/v1``: the public, read-only JSON API. Each area adds its own router module here."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
