"""WSGI app for the concurrency test: gunicorn imports `tests.concurrency_app:app`.

The test passes its own database in LOKALAMAL_TEST_DATABASE_URL, so that every worker
process runs against the database the test reads back.
"""

import os

from config import TestingConfig, _database_url
from lokalamal_app import create_app


class ConcurrencyConfig(TestingConfig):
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ["LOKALAMAL_TEST_DATABASE_URL"])
    WTF_CSRF_ENABLED = os.environ.get("LOKALAMAL_TEST_CSRF") == "1"


app = create_app(ConcurrencyConfig)
