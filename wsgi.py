"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""

import sys

from config import ConfigurationError

try:
    from lokalamal_app import create_app
except ModuleNotFoundError as exc:
    # A dependency added by an upgrade is not installed yet. Without this, Flask's CLI hides
    # the cause behind "No such command 'db'".
    print(f"Lokala mål cannot start: the Python package {exc.name!r} is missing. Install the "
          "dependencies again after every upgrade: .venv/bin/pip install .", file=sys.stderr)
    raise SystemExit(3) from None

try:
    app = create_app()
except ConfigurationError as exc:
    # One clear line instead of a traceback. Exit status 3 is what gunicorn reads as "worker
    # failed to boot": it stops instead of starting new workers that fail the same way.
    print(f"Lokala mål cannot start: {exc}", file=sys.stderr)
    raise SystemExit(3) from None
