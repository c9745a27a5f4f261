from tests.app.auth.fixtures import client, settings, world

__all__ = ["client", "settings", "world"]
