"""Keep the English catalog in step with the Swedish source strings.

    python scripts/translations.py          # extract, update en/messages.po, compile .mo
    python scripts/translations.py --check  # exit 1 when a string lacks a translation

The source language is Swedish: every `_("...")`, `_l("...")` and `{% trans %}` in the
code and templates is a msgid; `lokalamal_app/translations/en/LC_MESSAGES/messages.po`
holds the English. Translate new entries there (msgstr), then run this again.
"""

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "lokalamal_app" / "translations"
PO = CATALOG_DIR / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHOD_MAP = [("lokalamal_app/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2)}


def extracted() -> Catalog:
    """Every translatable string in the source, as a template catalog."""
    template = Catalog(locale=None, project="Lokala mål", msgid_bugs_address="")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, options_map={"templates/**.html": {"trimmed": "true"}},
        keywords=KEYWORDS,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def load() -> Catalog:
    if PO.exists():
        with PO.open("rb") as f:
            return read_po(f, locale="en")
    return Catalog(locale="en", project="Lokala mål")


def missing(catalog: Catalog, template: Catalog) -> list[str]:
    """msgids in the source with no (or a fuzzy) English translation."""
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found else None
        if isinstance(strings, tuple):
            ok = all(strings)
        else:
            ok = bool(strings)
        if not found or not ok or found.fuzzy:
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def compiled(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main() -> int:
    template = extracted()
    catalog = load()
    if "--check" in sys.argv:
        gaps = missing(catalog, template)
        for gap in gaps:
            print(f"saknar engelsk översättning: {gap!r}")
        return 1 if gaps else 0
    catalog.update(template, no_fuzzy_matching=True)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)
    MO.write_bytes(compiled(catalog))
    gaps = missing(catalog, template)
    print(f"{len(template)} strängar, {len(gaps)} saknar engelsk översättning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
