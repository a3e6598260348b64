"""The ledger's pages, one module for each thing they serve."""

from . import audit, collect, common, export, history, mine, queue  # noqa: F401
