"""Password hashing (Argon2id) and the rule for acceptable passwords."""

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 200
# Longer than any password ever accepted: refused before hashing (a megabyte-long password
# would keep a worker busy hashing it).
CHECK_MAX_LENGTH = 1024

# argon2-cffi's defaults are Argon2id with the RFC 9106 low-memory parameters.
_hasher = PasswordHasher()


def configure(config) -> None:
    """Take cost parameters from the configuration (tests use cheap ones).

    Stored hashes made with other parameters are rehashed at the next login.
    """
    global _hasher
    _hasher = PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > CHECK_MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with older parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str) -> str | None:
    """A message for the person (Swedish, English when chosen) when the password is not acceptable, else None.

    Length and the common-password list only: no composition rules (NIST SP 800-63B).
    """
    if len(password) < MIN_LENGTH:
        return _("Lösenordet måste ha minst %(min)s tecken.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Lösenordet får ha högst %(max)s tecken.", max=MAX_LENGTH)
    if password.casefold() in _common():
        return _("Det lösenordet är för vanligt och lätt att gissa. Välj ett annat.")
    return None
