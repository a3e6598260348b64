"""Small text helpers: URL slugs from Swedish names."""

import re
import unicodedata


def slugify(text: str, max_length: int = 60) -> str:
    """"Kopparlunden Teknik AB" -> "kopparlunden-teknik-ab"; å, ä, ö become a, a, o."""
    normalised = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", normalised.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "x"


def unique_slug(base: str, taken) -> str:
    """`base`, or `base-2`, `base-3`... the first that `taken(slug)` says is free."""
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug
