from collections.abc import Iterator

import pytest

from app.mail import delivery
from app.settings import Settings
from tests.app.mail.smtp_server import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    delivery.wait_for_background()
    server.stop()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    """The suite's test settings, delivering to the test SMTP server."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_from": "Familienwegweiser Jena <wegweiser@example.org>",
            "smtp_reply_to": "redaktion@example.org",
            "smtp_timeout_seconds": 5.0,
            "base_url": "https://wegweiser.example.org",
        }
    )
