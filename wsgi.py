"""Entry point for `flask --app wsgi` and gunicorn (`gunicorn wsgi:app`)."""

from lokalamal_app import create_app

app = create_app()
