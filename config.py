"""Configuration classes, read from the environment. No secrets live in git."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _sqlite_default() -> str:
    instance = BASE_DIR / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / 'lokalamal.sqlite'}"


def _database_url(value: str | None) -> str:
    """Accept plain postgres:// URLs too and send them through psycopg 3."""
    if not value:
        return _sqlite_default()
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _list(name: str) -> list[str]:
    """A comma-separated setting as a list ("a.example, b.example")."""
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


# The development default: production refuses to start with it (or with any short key).
DEV_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY_LENGTH = 32

MB = 1024 * 1024


class ConfigurationError(RuntimeError):
    """The configuration cannot run; the message says what to set."""


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this long is checked before use (lokalamal_app/database.py).
    DATABASE_PING_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_IDLE_SECONDS", "1"))

    BABEL_DEFAULT_LOCALE = "sv"
    # The app's one time zone: "today", "this month" and every time shown are Stockholm's,
    # whatever the server's zone (lokalamal_app/clock.py). Stored timestamps stay UTC.
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Europe/Stockholm")
    LANGUAGES = ["sv", "en"]

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "Lokala mål <noreply@lokalamal.se>")
    MAIL_TIMEOUT_SECONDS = float(os.environ.get("MAIL_TIMEOUT_SECONDS", "10"))
    # Mail leaves after commit: "background" (a thread in each process), "inline" (in the
    # committing thread, for tests) or "command" (only the scheduled `send-mail`).
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "background")
    # A failed attempt waits MAIL_RETRY_SECONDS, doubling each time up to the ceiling;
    # after MAIL_MAX_ATTEMPTS the message is marked failed and logged.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _int("MAIL_RETRY_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 6 * 3600)
    # A claim this old belongs to a sender that stopped mid-way; another may take it over.
    MAIL_CLAIM_STALE_SECONDS = _int("MAIL_CLAIM_STALE_SECONDS", 600)

    # Outgoing webhooks (Slack, Teams) leave with `send-webhooks`, retried like mail.
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 6)
    WEBHOOK_RETRY_SECONDS = _int("WEBHOOK_RETRY_SECONDS", 60)
    WEBHOOK_RETRY_MAX_SECONDS = _int("WEBHOOK_RETRY_MAX_SECONDS", 3600)
    WEBHOOK_CLAIM_STALE_SECONDS = _int("WEBHOOK_CLAIM_STALE_SECONDS", 300)
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))

    # Public address used in e-mails and QR codes. Required in production; elsewhere it
    # falls back to the request's host.
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or None
    # Production answers only requests for PUBLIC_URL's host and these (e.g. the address a
    # load balancer checks /healthz with); any other Host gets 400. Unchecked elsewhere.
    EXTRA_TRUSTED_HOSTS = _list("TRUSTED_HOSTS")

    # Request bodies: uploads (partner logos, payroll files, Swish reports) may be a few
    # megabytes, every other form far less, so a huge anonymous post is refused (413)
    # before it is read. MAX_FORM_MEMORY_SIZE caps a single text field.
    MAX_CONTENT_LENGTH = 5 * MB
    FORM_MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_MEMORY_SIZE = 3 * MB
    # Activity photos (a phone's photo is often 3-8 MB): the file itself, and the whole
    # request that carries it with the form. Stored re-encoded, at most 1600 pixels wide.
    ACTIVITY_PHOTO_MAX_BYTES = _int("ACTIVITY_PHOTO_MAX_BYTES", 8 * MB)
    ACTIVITY_UPLOAD_MAX_LENGTH = _int("ACTIVITY_UPLOAD_MAX_LENGTH", 8 * MB + 256 * 1024)
    # Where activity photos are kept; unset: `activity-photos` in the instance folder.
    ACTIVITY_PHOTO_DIR = os.environ.get("ACTIVITY_PHOTO_DIR") or None
    # Days after a challenge's end when the creativity vote is open, and how many public
    # votes one address may cast in an hour in one challenge.
    CREATIVITY_VOTE_DAYS = _int("CREATIVITY_VOTE_DAYS", 14)
    CREATIVITY_PUBLIC_VOTES_PER_HOUR = _int("CREATIVITY_PUBLIC_VOTES_PER_HOUR", 30)

    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    # Failed logins (see auth/throttle.py): after SLOW_AFTER failures of an account in the
    # window each attempt on it waits SLOW_SECONDS; after LOCK_AFTER failures one address
    # may not try that account again, after ADDRESS_LOCK_AFTER it may not try any account.
    LOGIN_SLOW_AFTER = _int("LOGIN_SLOW_AFTER", 3)
    LOGIN_LOCK_AFTER = _int("LOGIN_LOCK_AFTER", 10)
    LOGIN_ADDRESS_LOCK_AFTER = _int("LOGIN_ADDRESS_LOCK_AFTER", 100)
    LOGIN_WINDOW_SECONDS = _int("LOGIN_WINDOW_SECONDS", 15 * 60)
    LOGIN_SLOW_SECONDS = float(os.environ.get("LOGIN_SLOW_SECONDS", "1.0"))

    # How long a server process trusts its copy of the campaign list (see campaigns.py).
    CAMPAIGN_CACHE_SECONDS = _int("CAMPAIGN_CACHE_SECONDS", 60)
    MAX_COLLECTION_ORE = _int("MAX_COLLECTION_ORE", 1_000_000 * 100)
    CASH_SECOND_CONFIRM_ORE = _int("CASH_SECOND_CONFIRM_ORE", 5_000 * 100)
    # Days after a challenge's end date before its result is settled on verified money.
    CHALLENGE_RECONCILE_DAYS = _int("CHALLENGE_RECONCILE_DAYS", 14)
    LEADERBOARD_POLL_SECONDS = _int("LEADERBOARD_POLL_SECONDS", 4)
    # How long a server process trusts the board version it last read (seconds).
    LEADERBOARD_VERSION_TTL = float(os.environ.get("LEADERBOARD_VERSION_TTL", "1.0"))
    # Visitors' whole pages, kept this many seconds per board version (page_cache.py).
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "5"))

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "vaggivagg2026")
    ALLOW_DEMO_DATA = True

    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (0 = ignore it).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST", 0)
    PROXY_FIX_X_PORT = _int("PROXY_FIX_X_PORT", 0)
    PROXY_FIX_X_PREFIX = _int("PROXY_FIX_X_PREFIX", 0)
    # Accounts with no login for this many months are anonymised by `anonymise-inactive`.
    RETENTION_MONTHS = _int("RETENTION_MONTHS", 24)
    # Shared state between app servers (login throttling, live-board version) in Redis
    # instead of the database when set, e.g. redis://localhost:6379/0.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "lokalamal:")
    # Logins and refusals as JSON lines; stderr when unset.
    SECURITY_LOG_FILE = os.environ.get("SECURITY_LOG_FILE")

    # Responses compressed by the app (Flask-Compress): pages, styles and scripts of 1 KB or
    # more, brotli when the browser takes it, else gzip. Streamed answers (the CSV exports)
    # go out as they are, a line at a time.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 1024
    COMPRESS_STREAMS = False
    COMPRESS_MIMETYPES = [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml",
    ]
    # Static files under a plain name (not the content-hashed one templates link to).
    STATIC_PLAIN_MAX_AGE = _int("STATIC_PLAIN_MAX_AGE", 300)
    # Read the static files again when they change on disk (development, tests); production
    # reads each once per process.
    STATIC_WATCH = True


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = _database_url(
        os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "sqlite://"
    )
    LOGIN_SLOW_SECONDS = 0.0
    # Mail is delivered right after each commit, in the test's own thread: deterministic.
    MAIL_DELIVERY = "inline"
    MAIL_SERVER = None
    # Photos of the test run go to a folder of their own, never the instance folder.
    ACTIVITY_PHOTO_DIR = tempfile.mkdtemp(prefix="lokalamal-test-photos-")
    # Tests never touch a REDIS_URL meant for running the app: TEST_REDIS_URL is the test
    # Redis, used for the whole suite only with TEST_SHARED_STATE=redis (else by the tests
    # that ask for it), and only keys under this prefix are written and removed.
    REDIS_URL = (os.environ.get("TEST_REDIS_URL") or None
                 if os.environ.get("TEST_SHARED_STATE") == "redis" else None)
    REDIS_KEY_PREFIX = "lokalamal-test:"
    LEADERBOARD_VERSION_TTL = 0.0  # every poll sees the latest version at once
    PAGE_CACHE_SECONDS = 0.0  # every page rendered afresh, unless a test turns it on
    # A local base (http://127.0.0.1:<port>) webhook tests may post to. Only this testing
    # configuration has the setting: elsewhere only Slack's and Teams' hosts are accepted.
    WEBHOOK_TEST_ALLOWED_BASE: str | None = None
    WEBHOOK_RETRY_SECONDS = 0  # a failed post is due again at once in tests
    # Cheap hashing keeps the suite fast; production keeps argon2-cffi's defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    ALLOW_DEMO_DATA = False
    STATIC_WATCH = False

    @classmethod
    def check(cls) -> None:
        """Refuse to start production without a real secret and the public address."""
        problems = []
        key = cls.SECRET_KEY or ""
        if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            problems.append(
                f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} "
                "characters, e.g. $(python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        public = urlsplit(cls.PUBLIC_URL or "")
        if public.scheme != "https" or not public.hostname:
            problems.append(
                "PUBLIC_URL must be set to the site's public https address, e.g. "
                "https://lokalamal.example.se (links in e-mail and QR codes are built from it)"
            )
        if problems:
            raise ConfigurationError("Production refuses to start: " + "; ".join(problems))

    @classmethod
    def trusted_hosts(cls) -> list[str]:
        """The Host names production answers: PUBLIC_URL's and TRUSTED_HOSTS."""
        return [urlsplit(cls.PUBLIC_URL).hostname, *cls.EXTRA_TRUSTED_HOSTS]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
