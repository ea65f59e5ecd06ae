"""Registry values as extracts and officers type them (plain Python, no Django): statuses,
sex, and the parts of an address."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_STATUS: Mapping[str, str] = {
    "": "alive", "alive": "alive", "hidup": "alive", "ada": "alive", "aktif": "alive",
    "deceased": "deceased", "dead": "deceased", "meninggal": "deceased", "mati": "deceased", "wafat": "deceased",
    "moved": "moved", "pindah": "moved", "pindah keluar": "moved", "moved out": "moved",
}


def registry_status(value: object) -> str | None:
    """The contract's status values (alive, deceased, moved), also from the Indonesian words
    officers type; None when the value is not a status."""
    return _STATUS.get(str(value or "").strip().lower())


_RT = re.compile(r"\bRT\.?\s*:?\s*(\d{1,3})", re.IGNORECASE)
_RW = re.compile(r"\bRW\.?\s*:?\s*(\d{1,3})", re.IGNORECASE)
_SLASH = re.compile(r"\b(\d{1,3})\s*/\s*(\d{1,3})\b")
_PREFIX = re.compile(r"^\s*(?:dusun|dsn|dukuh|lingkungan|lingk)\b\.?\s*", re.IGNORECASE)


def split_address(text: object) -> tuple[str, str, str]:
    """``"Dusun Krajan RT 002 RW 001"`` → ``("Krajan", "2", "1")``; parts that are not there are ""."""
    return _split(str(text or "").strip())


@lru_cache(maxsize=65536)  # a family's members share one address: an extract repeats them
def _split(raw: str) -> tuple[str, str, str]:
    rt = rw = ""
    m = _RT.search(raw)
    if m:
        rt = str(int(m.group(1)))
    w = _RW.search(raw)
    if w:
        rw = str(int(w.group(1)))
    rest = _RW.sub(" ", _RT.sub(" ", raw))
    if not rt:
        s = _SLASH.search(rest)
        if s:
            rt, rw = str(int(s.group(1))), str(int(s.group(2)))
            rest = rest[: s.start()] + rest[s.end() :]
    dusun = _PREFIX.sub("", rest.replace(",", " ").replace("/", " ")).strip(" .-")
    return " ".join(dusun.split())[:60], rt, rw
