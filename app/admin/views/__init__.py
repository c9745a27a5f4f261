"""Admin area ``/verwaltung``: one router with CSRF and the admin check, one module per subject."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.admin.views import accounts, imports, moderation, overview, reports
from app.auth.deps import require_admin
from app.auth.private_route import PrivateRoute
from app.csrf import verify_csrf

router = APIRouter(
    prefix="/verwaltung",
    dependencies=[Depends(verify_csrf), Depends(require_admin)],
    route_class=PrivateRoute,
)
router.add_api_route("", overview.overview, methods=["GET"])  # the start page is the prefix itself
for _module in (moderation, reports, accounts, imports):
    router.include_router(_module.router)
