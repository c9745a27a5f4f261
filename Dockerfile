# syntax=docker/dockerfile:1
# Familienwegweiser Jena – production image: FastAPI under uvicorn with several worker processes.
# Build: docker build -t familienwegweiser .   Run: see compose.yaml and README "## Betrieb".

# --- build stage: dependencies into a venv, translations compiled -----------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# Runtime dependencies only (no [dev] extra); the project itself runs from /app, not site-packages,
# because Alembic's migrations/ and alembic.ini live next to the code.
COPY pyproject.toml README.md ./
COPY app ./app
COPY importers ./importers
COPY search ./search
COPY benchmarks ./benchmarks
RUN pip install --upgrade pip \
 && pip install . \
 && pip uninstall -y familienwegweiser

# Compile the gettext catalogues (.po → .mo) so the English interface works without babel's tools at runtime.
RUN set -e; for po in app/locale/*/LC_MESSAGES/messages.po; do \
      [ -f "$po" ] || continue; \
      pybabel compile --domain messages --input-file "$po" --output-file "${po%.po}.mo"; \
    done

# --- runtime stage ----------------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENV=production \
    WEB_CONCURRENCY=4 \
    HOST=0.0.0.0 \
    PORT=8000 \
    FORWARDED_ALLOW_IPS=127.0.0.1

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /src/app ./app
COPY --chown=root:root importers ./importers
COPY --chown=root:root search ./search
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root alembic.ini pyproject.toml ./
# The sample workbook (if present) for a first import; real workbooks are mounted into /import.
COPY --chown=root:root data ./data
# Code stays read-only for the app user; only data/ (embedded search index, uploads) is writable.
RUN mkdir -p /app/data/uploads /import && chown -R app:app /app/data

USER app
EXPOSE 8000

# /healthz answers 200 when the database is reachable (and reports the search engine).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'); sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"]

# uvicorn's process manager: WEB_CONCURRENCY worker processes (restarted if one dies). Sessions, CSRF, rate
# limits and drafts live in PostgreSQL, so any worker can answer any request. X-Forwarded-For is read by the
# app itself, only from FORWARDED_ALLOW_IPS (the reverse proxy) – uvicorn's own handling stays off.
CMD ["sh", "-c", "exec uvicorn app.main:create_app --factory --host \"$HOST\" --port \"$PORT\" --workers \"$WEB_CONCURRENCY\" --no-proxy-headers --no-server-header"]
