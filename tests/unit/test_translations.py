"""English follows Swedish: every user-facing string has a translation, and the compiled
catalog the app loads is the one made from the translations in git."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_user_facing_string_has_an_english_translation():
    tool = _tool()
    gaps = tool.missing(tool.load(), tool.extracted())
    assert gaps == [], f"{len(gaps)} strings lack English (run scripts/translations.py): {gaps[:20]}"


def test_the_compiled_catalog_matches_the_translations():
    tool = _tool()
    assert tool.MO.read_bytes() == tool.compiled(tool.load()), (
        "messages.mo is out of date: run scripts/translations.py"
    )
