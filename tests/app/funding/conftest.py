from __future__ import annotations

import pytest
from sqlmodel import Session

from app.catalogue.models import Traeger
from tests.app.funding.dataset import create_grants


@pytest.fixture
def funded(session: Session) -> dict[str, Traeger]:
    """The grants of ``dataset.GRANTS`` in the test database (committed, visible to ``client``)."""
    traeger = create_grants(session)
    session.commit()
    return traeger
