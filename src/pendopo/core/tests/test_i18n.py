"""Every string marked for translation has an English translation, and the compiled catalogue
is up to date with the source catalogue."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
TEMPLATE_TAG = re.compile(r'{%\s*translate\s+"((?:[^"\\]|\\.)*)"')
PY_CALL = re.compile(r'(?<![\w.])(?:_|gettext_lazy|gettext)\(\s*"((?:[^"\\]|\\.)*)"\s*\)')


def _catalogue() -> dict[str, str]:
    entries: dict[str, str] = {}
    msgid = msgstr = None
    mode = ""
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            if msgid is not None:
                entries[msgid] = msgstr or ""
            msgid, msgstr, mode = line[7:-1], None, "id"
        elif line.startswith("msgstr "):
            msgstr, mode = line[8:-1], "str"
        elif line.startswith('"') and mode == "id" and msgid is not None:
            msgid += line[1:-1]
        elif line.startswith('"') and mode == "str":
            msgstr = (msgstr or "") + line[1:-1]
        elif not line.strip() and msgid is not None:
            entries[msgid] = msgstr or ""
            msgid, msgstr, mode = None, None, ""
    entries.pop("", None)
    return entries


def test_every_marked_string_has_an_english_translation() -> None:
    catalogue = _catalogue()
    missing = set()
    for path in ROOT.rglob("*.html"):
        for m in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            if not catalogue.get(m.group(1)):
                missing.add(f"{path.name}: {m.group(1)}")
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for m in PY_CALL.finditer(path.read_text(encoding="utf-8")):
            if not catalogue.get(m.group(1)):
                missing.add(f"{path.name}: {m.group(1)}")
    assert not missing, "untranslated (run `make messages`):\n" + "\n".join(sorted(missing))


def test_there_are_no_fuzzy_entries_and_the_compiled_catalogue_matches() -> None:
    import gettext

    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [k for k, v in _catalogue().items() if v and "\\" not in k and "%(" not in k and compiled.gettext(k) != v]
    assert not stale, f"{len(stale)} entries not compiled (run `make messages`): {stale[:5]}"
