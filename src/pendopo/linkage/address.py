"""Addresses as typed in villages: dusun (hamlet) names with their abbreviations, RT/RW in
every common shape, and Kemendagri village codes with or without dots."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pendopo.linkage.names import phonetic_key

_RT_RW = re.compile(r"\brt\.?\s*[:.]?\s*(\d{1,3})\s*[/,\s-]*\s*(?:rw\.?\s*[:.]?\s*(\d{1,3}))?", re.IGNORECASE)
_RW = re.compile(r"\brw\.?\s*[:.]?\s*(\d{1,3})", re.IGNORECASE)
_SLASH = re.compile(r"\b(\d{1,3})\s*/\s*(\d{1,3})\b")
_DUSUN = re.compile(r"\b(?:dusun|dsn|dsun|dk|dukuh|lingk|lingkungan|link|lkg)\b\.?\s*", re.IGNORECASE)
_NOISE = re.compile(r"\b(?:desa|ds|kel|kelurahan|kec|kecamatan|kab|kabupaten|banyuwangi|jl|jln|jalan|gg|gang|no)\b\.?", re.IGNORECASE)
_VILLAGE = re.compile(r"^(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})$")


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    raw: str
    dusun: str  # phonetic key of the hamlet name, "" if none
    rt: int | None
    rw: int | None


def parse_address(raw: object) -> ParsedAddress:
    text = str(raw or "").strip()
    if not text or text.lower() == "nan":
        return ParsedAddress("", "", None, None)
    rt = rw = None
    m = _RT_RW.search(text)
    if m:
        rt = int(m.group(1))
        rw = int(m.group(2)) if m.group(2) else None
        rest = text[: m.start()] + " " + text[m.end() :]
    else:
        s = _SLASH.search(text)
        if s:
            rt, rw = int(s.group(1)), int(s.group(2))
            rest = text[: s.start()] + " " + text[s.end() :]
        else:
            rest = text
    if rw is None:
        w = _RW.search(rest)
        if w:
            rw = int(w.group(1))
            rest = rest[: w.start()] + " " + rest[w.end() :]
    rest = _DUSUN.sub(" ", rest)
    rest = _NOISE.sub(" ", rest)
    words = re.findall(r"[a-zA-Z]+", rest)
    dusun = phonetic_key(words[0].lower()) if words else ""
    return ParsedAddress(text, dusun, rt, rw)


def normalise_village_code(raw: object) -> str:
    """``3510092001`` or ``35.10.09.2001`` → ``35.10.09.2001``; anything else → ``""``."""
    text = str(raw or "").strip().replace(" ", "")
    m = _VILLAGE.match(text)
    return ".".join(m.groups()) if m else ""
