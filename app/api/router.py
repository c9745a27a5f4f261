"""``/api/v1``: the public, read-only JSON API. Each area adds its own router module here."""

from fastapi import APIRouter

from app.api.offers import router as offers_router
from app.funding.api import router as funding_router

router = APIRouter(prefix="/api/v1")
router.include_router(funding_router)
router.include_router(offers_router)
