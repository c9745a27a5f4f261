"""Application factory: settings, database engine, middleware, routers, static files, error pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import errors, page_cache
from app.admin.views import router as admin_router
from app.api.router import router as api_router
from app.applications.views import provider_router as applications_provider_router
from app.applications.views import review_router as applications_review_router
from app.auth.forgot import router as forgot_router
from app.auth.views import router as auth_router
from app.catalogue.districts import DistrictCache
from app.csrf import CsrfCookieMiddleware
from app.db import make_engine
from app.feedback.views import router as feedback_router
from app.funding.views import router as funding_router
from app.health import router as health_router
from app.i18n import LocaleMiddleware
from app.mail.views import router as mail_router
from app.opendata.api_docs import public_openapi
from app.opendata.hsds.routes import router as hsds_router
from app.opendata.views import router as opendata_router
from app.planning.cube_views import router as planning_cube_router
from app.planning.views import router as planning_router
from app.provider.confirm import router as confirm_router
from app.provider.views import router as provider_router
from app.public.views import router as public_router
from app.quality.admin_views import router as quality_admin_router
from app.quality.provider_views import router as quality_provider_router
from app.quality.public_views import router as quality_public_router
from app.request_limits import BodyLimitMiddleware, HeadAsGetMiddleware
from app.security import ExposedDevelopmentWarning, SecurityHeadersMiddleware, warn_if_exposed_in_development
from app.settings import Environment, Settings, get_settings
from app.static_files import CachedStaticFiles
from search import get_backend

STATIC_DIR = errors.APP_DIR / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Familienwegweiser Jena – API",
        description="Öffentliche, lesende Schnittstelle des Familienwegweisers Jena.",
        version="1.0",
        docs_url=None,  # /api/docs is our own page (app/opendata): Swagger UI would load from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.openapi = lambda: public_openapi(app)  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.engine = make_engine(
        settings.database_url, sqlite_busy_timeout=settings.sqlite_busy_timeout_seconds
    )
    app.state.search = get_backend(settings)
    app.state.districts = DistrictCache()

    app.add_middleware(CsrfCookieMiddleware)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    # Outermost, so pages and static files go out compressed.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    page_cache.install(app, settings)  # wraps GZip too
    app.add_middleware(HeadAsGetMiddleware)
    # Before anything reads a body (CSRF, login, forms): bounded per route class.
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    # The client address (rate limits) from X-Forwarded-For only when the peer is the configured proxy.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    if settings.env is Environment.development and not warn_if_exposed_in_development(settings):
        app.add_middleware(ExposedDevelopmentWarning, settings=settings)

    app.mount("/static", CachedStaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in (
        health_router,
        api_router,
        hsds_router,
        quality_public_router,
        public_router,
        funding_router,
        planning_router,
        planning_cube_router,
        auth_router,
        forgot_router,
        mail_router,
        confirm_router,
        quality_provider_router,
        applications_provider_router,
        applications_review_router,
        provider_router,
        quality_admin_router,
        admin_router,
        feedback_router,
        opendata_router,
    ):
        app.include_router(router)

    app.add_exception_handler(StarletteHTTPException, errors.http_error)
    app.add_exception_handler(RequestValidationError, errors.validation_error)
    app.add_exception_handler(OperationalError, errors.database_error)
    app.add_exception_handler(Exception, errors.server_error)
    return app
