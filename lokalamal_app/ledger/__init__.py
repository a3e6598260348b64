"""The collection ledger: entries, the totals beside them, and their checks."""
