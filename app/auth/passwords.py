"""Password hashing (argon2id via pwdlib) and the password rules (length, common passwords)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.i18n import gettext as _
from app.settings import Settings

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),))


def hasher(settings: Settings) -> PasswordHash:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


@cache
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("kein-echtes-passwort-nur-zum-zeitausgleich")


def hash_password(password: str, settings: Settings) -> str:
    return hasher(settings).hash(password)


def verify_password(password: str, password_hash: str | None, settings: Settings) -> bool:
    """Check a password; without a stored hash, verify a dummy: same timing, no account probing."""
    if password_hash is None:
        dummy = _dummy_hash(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )
        hasher(settings).verify(password, dummy)
        return False
    try:
        return hasher(settings).verify(password, password_hash)
    except Exception:  # a malformed stored hash must not open the door or crash the login page
        return False


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, *, email: str = "") -> list[str]:
    """German messages for every rule the password breaks (empty list = acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Das Passwort muss mindestens 12 Zeichen lang sein."))
    if len(password) > MAX_LENGTH:
        problems.append(_("Das Passwort darf höchstens 128 Zeichen lang sein."))
    folded = password.casefold()
    if folded in common_passwords() or len(set(folded)) <= 2:
        problems.append(
            _("Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes.")
        )
    if email and folded == email.casefold():
        problems.append(_("Das Passwort darf nicht die E-Mail-Adresse sein."))
    return problems
