"""Account rules: registering, checking a password, resetting it. Flush, never commit."""

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import audit
from ..extensions import db
from ..mail import send_mail
from ..models import User
from ..models.base import utcnow
from ..models.user import LOCALES
from ..notifications import in_language_of
from ..urls import external_url
from . import throttle
from .forms import normalise_email
from .passwords import hash_password, needs_rehash, verify_password

# Verifying against a real hash when the account does not exist keeps the answer time
# the same, so that timing does not tell which e-mail addresses have accounts.
_DUMMY_HASH = hash_password("not-a-real-password-0")


def register_user(display_name: str, email: str, password: str, **extra) -> User:
    """Create an account; the e-mail is stored lower-cased."""
    user = User(
        display_name=display_name.strip(),
        email=normalise_email(email),
        password_hash=hash_password(password),
        **extra,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.register", "user", user.id, actor=user)
    return user


def remember_language(user: User, code: str | None) -> bool:
    """Store `code` ("sv" or "en") as the language `user` gets notifications and e-mail in;
    anything else is ignored. True when it was stored.

    The rule, in one place:
    - registering: the account starts in the language the page was shown in (the language
      switch's cookie, else the browser's preference, else Swedish);
    - choosing a language with the switch while logged in stores it;
    - logging in with the switch's cookie set stores the cookie's language, the latest
      choice made in that browser; without the cookie the stored language stays as it is
      (the browser's preference alone never changes it).
    """
    if code not in LOCALES:
        return False
    user.locale = code
    return True


def find_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class LoginCandidate:
    user_id: int
    password_hash: str
    disabled: bool


def login_candidate(email: str) -> LoginCandidate | None:
    """Read only: what checking a password for `email` needs, or None for no such account."""
    user = find_by_email(email)
    if user is None:
        return None
    return LoginCandidate(user.id, user.password_hash, user.disabled)


def check_password(candidate: LoginCandidate | None, password: str) -> tuple[bool, str | None]:
    """Slow (hashes) and touches no database: whether the password lets the candidate in,
    and a new hash to store when the old one was made with weaker parameters."""
    if candidate is None:
        verify_password(_DUMMY_HASH, password)
        return False, None
    if not verify_password(candidate.password_hash, password) or candidate.disabled:
        return False, None
    return True, hash_password(password) if needs_rehash(candidate.password_hash) else None


def record_login(candidate: LoginCandidate, new_hash: str | None) -> User | None:
    """The writing half of a login: the time, and the hash `check_password` renewed.

    None when the account changed while its password was being checked (a new password
    set, the account disabled or anonymised): the password checked is no longer the
    account's, and the login is refused. The row is locked, so a password set at this
    moment comes wholly before or wholly after, and a renewed hash never writes the old
    password back over a new one."""
    user = db.session.execute(
        db.select(User).where(User.id == candidate.user_id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if user is None or user.password_hash != candidate.password_hash or user.disabled:
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    return user


def set_password(user: User, password: str, actor: User | None = None) -> None:
    """New password; every other session of the account ends with it."""
    user.password_hash = hash_password(password)
    user.end_all_sessions()
    throttle.forget_account(user.email)
    audit.record("user.password", "user", user.id, actor=actor or user)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    # Tied to the current hash: once the password changes, the link no longer works.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(user: User) -> str:
    return _serializer().dumps({"id": user.id, "fp": _fingerprint(user)})


def send_reset_link(email: str) -> None:
    """Mail a link for choosing a new password, or, when the address has no active account,
    a mail saying so. Both ways sign a token, write one outbox message and send it: the
    same work, so neither the answer nor its time tells which addresses have accounts."""
    user = find_by_email(email)
    if user is not None and not user.disabled:
        link = external_url("auth.reset_password", token=reset_token(user))
        # In the account's language: whoever asked may not be the account's owner.
        with in_language_of(user):
            send_mail(
                user.email,
                _("Återställ ditt lösenord till Lokala mål"),
                _(
                    "Hej %(name)s!\n\n"
                    "Någon (förhoppningsvis du) har bett om att få byta lösenord.\n"
                    "Öppna länken inom en timme för att välja ett nytt:\n\n%(link)s\n\n"
                    "Länken fungerar en gång. Har du inte bett om det här kan du strunta i mejlet.\n",
                    name=user.display_name,
                    link=link,
                ),
            )
        return
    _serializer().dumps({"id": 0, "fp": "0" * 20})  # the signing a real link costs
    # A disabled account's own language; for an unknown address the page's.
    with in_language_of(user) if user is not None else force_locale(str(get_locale())):
        send_mail(
            normalise_email(email),
            _("Återställ ditt lösenord till Lokala mål"),
            _(
                "Hej!\n\n"
                "Någon (förhoppningsvis du) har bett om att få byta lösenord till Lokala mål "
                "för den här adressen, men det finns inget aktivt konto med den.\n\n"
                "Har du inte bett om det här kan du strunta i mejlet.\n"
            ),
        )


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link belongs to, or None if it is wrong, used or expired."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data.get("id"), int) else None
    if user is None or user.disabled or data.get("fp") != _fingerprint(user):
        return None
    return user
