"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""

import sys

from config import ConfigurationError
from lokalamal_app import create_app

try:
    app = create_app()
except ConfigurationError as exc:
    # One clear line instead of a traceback. Exit status 3 is what gunicorn reads as "worker
    # failed to boot": it stops instead of starting new workers that fail the same way.
    print(f"Lokala mål cannot start: {exc}", file=sys.stderr)
    raise SystemExit(3) from None
