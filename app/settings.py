"""All configuration. Nothing else in the code base reads ``os.environ``."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A key generated per process is fine in development; production must set SECRET_KEY.
_DEV_SECRET = secrets.token_urlsafe(48)
_MIN_SECRET_LENGTH = 32
DEFAULT_PAGE_CACHE_SECONDS = 2.0
_WEAK_SECRETS = {"changeme", "secret", "dev", "development", "please-change-me"}


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class SearchBackendName(StrEnum):
    sqlite = "sqlite"
    meilisearch = "meilisearch"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    env: Environment = Field(default=Environment.development, description="development | test | production")
    database_url: str = Field(default=f"sqlite:///{PROJECT_ROOT / 'data' / 'app.db'}")
    search_backend: SearchBackendName = SearchBackendName.sqlite
    # The embedded SQLite FTS5 index lives in its own file, also when the main database is PostgreSQL.
    search_index_path: Path = PROJECT_ROOT / "data" / "search.db"
    meili_url: str = "http://127.0.0.1:7700"
    meili_master_key: str = ""
    meili_index: str = "angebote"
    meili_timeout_seconds: float = 1.0
    secret_key: str = Field(default=_DEV_SECRET, min_length=1)
    # Public address (links in mails, API, feeds). Unset in development: http://127.0.0.1:<PORT>.
    base_url: str = ""
    port: int = 8000
    host: str = "127.0.0.1"
    # Addresses of the reverse proxy whose X-Forwarded-For is believed (comma-separated, "*" = everyone –
    # never in production: clients could then pick their own address and dodge the rate limits).
    forwarded_allow_ips: str = "127.0.0.1"
    # Strict-Transport-Security under ENV=production: at least a year.
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=31_536_000)
    import_max_bytes: int = 20 * 1024 * 1024
    # Workbooks are read in a child process with these limits (a hostile file kills only the child).
    import_isolated: bool = True
    import_max_memory_mb: int = Field(default=2048, ge=64)
    import_max_seconds: int = Field(default=300, ge=1)
    data_licence_name: str = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
    data_licence_url: str = "https://www.govdata.de/dl-de/by-2-0"
    data_licence_attribution: str = "Stadt Jena"
    # 360Giving identifiers are `360G-<prefix>-…`; replace with the prefix 360Giving registers for the city.
    giving360_prefix: str = "stadtjena"
    # Accounts (issue 8): sessions live in the database; limits count per account and per IP.
    session_idle_minutes: int = 120
    session_max_hours: int = 12
    # Failures per account+address pair before that pair is blocked for the window; per account, failures
    # beyond this number cause growing delays (1, 2, 4 … s, at most login_max_delay_seconds) – never a lock.
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 20
    login_max_delay_seconds: int = 60
    login_window_minutes: int = 15
    feedback_max_posts: int = 5
    feedback_window_minutes: int = 15
    # Evaluations of funded offers: same limiter and window as feedback, counted apart and higher, because a
    # course's participants often rate it from one network (the Familienzentrum's Wi-Fi) right after it ends.
    evaluation_max_posts: int = Field(default=20, ge=1)
    # Users' evaluations of funded offers (issue 16): comments are deleted after the first period, the
    # anonymous ratings after the second (both stated on the Datenschutz page).
    evaluation_comment_retention_days: int = Field(default=365, ge=1)
    evaluation_retention_days: int = Field(default=1095, ge=1)
    invitation_max_age_hours: int = 72
    reset_max_age_hours: int = 24
    # argon2id cost (pwdlib defaults); tests lower them to stay fast.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # Workbooks uploaded in /verwaltung wait here between the dry run and "apply".
    upload_dir: Path = PROJECT_ROOT / "data" / "uploads"
    # Full-page cache of anonymous public pages (app/page_cache.py): seconds between catalogue-version checks,
    # 0 = off. Unset: 2 s, but off under ENV=test (tests create rows without audit entries).
    page_cache_seconds: float | None = Field(default=None, ge=0)
    # E-mail: every mail goes through the outbox table (app/mail). Without SMTP_HOST, development writes each
    # mail as an .eml file into MAIL_DIR instead; test and production keep them queued.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_from: str = "Familienwegweiser Jena <familienwegweiser@example.org>"
    smtp_reply_to: str = ""
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_dir: Path = PROJECT_ROOT / "data" / "mail"
    # Temporary failures are retried after base·2^(n-1) s (capped at 6 h); after this many it is "failed".
    mail_max_attempts: int = Field(default=10, ge=1)
    mail_retry_base_seconds: int = Field(default=60, ge=1)
    # Deliver right after the causing transaction commits (background thread); the jobs runner catches up.
    mail_send_immediately: bool = True
    # Where the daily digest of error reports goes; empty = every active admin account.
    redaktion_email: str = ""
    password_reset_max_requests: int = 5
    password_reset_window_minutes: int = 60
    # Seconds between rounds of `python -m app.jobs` (loop mode).
    jobs_interval_seconds: int = Field(default=60, ge=5)
    # /healthz says "degraded: index behind" when a catalogue change waits longer than this for the index.
    index_max_lag_seconds: float = Field(default=300.0, ge=0)
    # SQLite only: how long a write waits for another writer (an import) before the page answers 503.
    sqlite_busy_timeout_seconds: float = Field(default=30.0, ge=0)

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.env is Environment.production:
            key = self.secret_key
            if key == _DEV_SECRET or len(key) < _MIN_SECRET_LENGTH or key.lower() in _WEAK_SECRETS:
                raise ValueError(
                    "SECRET_KEY fehlt oder ist zu schwach: in Produktion mindestens "
                    f"{_MIN_SECRET_LENGTH} zufällige Zeichen setzen (z. B. `python -c "
                    "'import secrets; print(secrets.token_urlsafe(48))'`)."
                )
        if self.smtp_ssl and self.smtp_starttls:
            raise ValueError("SMTP_SSL und SMTP_STARTTLS schließen sich aus – bitte nur eines setzen.")
        return self

    @model_validator(mode="after")
    def _base_url_from_port(self) -> Settings:
        if not self.base_url:
            self.base_url = f"http://127.0.0.1:{self.port}"
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.production

    @property
    def effective_page_cache_seconds(self) -> float:
        if self.page_cache_seconds is not None:
            return self.page_cache_seconds
        return 0.0 if self.env is Environment.test else DEFAULT_PAGE_CACHE_SECONDS

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
