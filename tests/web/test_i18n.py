"""French and English strings of the web app: the same keys, every key used exists."""

from __future__ import annotations

import re

from api.routes.web import STATIC_DIR

I18N = (STATIC_DIR / "js" / "i18n.js").read_text(encoding="utf-8")


def _table(lang: str) -> dict[str, str]:
    start = I18N.index(f"\n  {lang}: {{")
    end = I18N.index("\n  },", start)
    block = I18N[start:end]
    return dict(re.findall(r"^\s{4}'([a-zA-Z0-9_.]+)':\s*(['\"].*?['\"]),?$", block, re.MULTILINE))


def test_french_and_english_have_the_same_keys() -> None:
    en, fr = _table("en"), _table("fr")
    assert len(en) > 200
    assert set(en) == set(fr), {"missing in fr": set(en) - set(fr),
                                "missing in en": set(fr) - set(en)}


def test_translations_differ_where_the_languages_do() -> None:
    en, fr = _table("en"), _table("fr")
    same = [k for k in en if en[k] == fr[k]]
    # Names, brand and a few words shared by both languages only.
    assert len(same) < 0.15 * len(en), same


def test_placeholders_match_between_languages() -> None:
    en, fr = _table("en"), _table("fr")
    for key in en:
        assert set(re.findall(r"\{(\w+)\}", en[key])) == set(re.findall(r"\{(\w+)\}", fr[key])), key


def test_every_literal_key_used_by_the_scripts_exists() -> None:
    en = _table("en")
    used: set[str] = set()
    for path in STATIC_DIR.rglob("*.js"):
        used |= set(re.findall(r"\bt\(\s*'([a-zA-Z0-9_.]+)'", path.read_text(encoding="utf-8")))
    assert len(used) > 100
    assert used <= set(en), sorted(used - set(en))
