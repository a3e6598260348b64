"""Operations: backups, the ledger check, the security log and behaviour when the
database is away."""

from flask import Blueprint

# cli_group=None: the commands are `flask backup`, `flask restore`, `flask ledger-check`.
bp = Blueprint("ops", __name__, cli_group=None)

from . import cli  # noqa: E402,F401
