"""Reading Kemendagri region files.

Two shapes are accepted, told apart by their header:

* ``code,name,level,parent_code[,kind]``: any part of the hierarchy, the national list included;
* ``code,name,kind,district_code[,district_name]``: villages of districts already loaded.

A file is checked whole before anything is written; every problem names the line (the header is
line 1, as a spreadsheet shows it) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pendopo.core.errors import ImportRefused

LEVEL_ALIASES = {
    "province": "province", "provinsi": "province",
    "regency": "regency", "kabupaten": "regency", "kota": "regency", "city": "regency",
    "district": "district", "kecamatan": "district",
    "village": "village", "desa": "village", "kelurahan": "village", "desa_adat": "village",
}
CODE_PATTERNS = {
    "province": re.compile(r"\d{2}"),
    "regency": re.compile(r"\d{2}\.\d{2}"),
    "district": re.compile(r"\d{2}\.\d{2}\.\d{2}"),
    "village": re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
}
DEPTH = {"province": 0, "regency": 1, "district": 2, "village": 3}
PARENT_LEVEL = {"regency": "province", "district": "regency", "village": "district"}
KIND_ALIASES = {
    "desa": "desa", "kelurahan": "kelurahan", "desa adat": "desa_adat", "desa_adat": "desa_adat",
    "kabupaten": "kabupaten", "kota": "kota", "": "",
}
MAX_REPORTED = 20


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    line: int


def level_of_code(code: str) -> str | None:
    for level, pattern in CODE_PATTERNS.items():
        if pattern.fullmatch(code):
            return level
    return None


def kind_for(level: str, code: str) -> str:
    """The kind implied by the code: village 1xxx kelurahan, 2xxx desa, 3xxx desa adat;
    regency 01-69 kabupaten, 71-99 kota."""
    if level == "village":
        return {"1": "kelurahan", "2": "desa", "3": "desa_adat"}.get(code[-4], "desa")
    if level == "regency":
        return "kota" if int(code[-2:]) >= 71 else "kabupaten"
    return ""


def decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) or refuse, naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"{filename}: baris {line} bukan teks UTF-8 (byte {exc.start}); simpan ulang berkas sebagai "
            f"CSV UTF-8. / line {line} is not UTF-8 text; save the file again as CSV UTF-8."
        ) from exc


def parse_regions(data: bytes, filename: str, known_codes: Iterable[str] = ()) -> list[RegionRow]:
    """Parse and check a region file; return rows parents-first, or raise ImportRefused.

    ``known_codes`` are regions already in the database, which may be parents of rows here.
    """
    text = decode(data, filename)
    if "\x00" in text:
        raise ImportRefused(f"{filename}: berkas biner, bukan CSV. / binary file, not CSV.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportRefused(f"{filename}: berkas kosong. / the file is empty.") from None
    except csv.Error as exc:
        raise ImportRefused(f"{filename}: baris 1 tidak dapat dibaca sebagai CSV ({exc}).") from exc

    if {"code", "name", "level", "parent_code"} <= set(header):
        shape = "hierarchy"
    elif {"code", "name", "kind", "district_code"} <= set(header):
        shape = "villages"
    else:
        raise ImportRefused(
            f"{filename}: baris 1 (judul kolom) harus memuat code,name,level,parent_code atau "
            f"code,name,kind,district_code; ditemukan: {','.join(header)}. / header must contain "
            "code,name,level,parent_code or code,name,kind,district_code."
        )
    col = {name: i for i, name in enumerate(header)}
    problems: list[str] = []
    rows: list[RegionRow] = []
    first_line: dict[str, int] = {}

    def problem(line: int, column: str, message: str) -> None:
        problems.append(f"{filename}: baris {line}, kolom {column}: {message}")

    try:
        for line, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) < len(header):
                raw = raw + [""] * (len(header) - len(raw))
            code = raw[col["code"]].strip()
            name = " ".join(raw[col["name"]].split())
            if shape == "hierarchy":
                level_raw = raw[col["level"]].strip().lower()
                parent = raw[col["parent_code"]].strip() or None
                kind_raw = raw[col["kind"]].strip().lower() if "kind" in col else ""
            else:
                level_raw = "village"
                parent = raw[col["district_code"]].strip() or None
                kind_raw = raw[col["kind"]].strip().lower()
            level = LEVEL_ALIASES.get(level_raw)
            if level is None:
                problem(line, "level", f"tingkat '{level_raw}' tidak dikenal (province, regency, district, village)")
                continue
            if not CODE_PATTERNS[level].fullmatch(code):
                problem(line, "code", f"kode '{code}' tidak sesuai format {level} ({_example(level)})")
                continue
            if not name:
                problem(line, "name", "nama kosong")
                continue
            if code in first_line:
                problem(line, "code", f"kode {code} sudah ada di baris {first_line[code]} (duplikat)")
                continue
            first_line[code] = line
            expected_parent = code.rsplit(".", 1)[0] if "." in code else None
            if parent != expected_parent:
                column = "parent_code" if shape == "hierarchy" else "district_code"
                problem(line, column, f"induk '{parent or ''}' tidak cocok dengan kode {code} (seharusnya {expected_parent or 'kosong'})")
                continue
            kind = KIND_ALIASES.get(kind_raw)
            if kind is None:
                problem(line, "kind", f"jenis '{kind_raw}' tidak dikenal (desa, kelurahan, desa adat)")
                continue
            if not kind:
                kind = kind_for(level, code)
            rows.append(RegionRow(code=code, name=name, level=level, kind=kind, parent_code=parent, line=line))
            if len(problems) >= MAX_REPORTED:
                break
    except csv.Error as exc:
        raise ImportRefused(f"{filename}: baris {reader.line_num} tidak dapat dibaca sebagai CSV ({exc}).") from exc

    if not problems:
        known = set(known_codes) | set(first_line)
        for row in rows:
            if row.parent_code and row.parent_code not in known:
                column = "parent_code" if shape == "hierarchy" else "district_code"
                problem(row.line, column, f"induk {row.parent_code} tidak ada di berkas ini maupun di basis data")
                if len(problems) >= MAX_REPORTED:
                    break
    if not rows and not problems:
        raise ImportRefused(f"{filename}: tidak ada baris data. / the file has no data rows.")
    if problems:
        more = " (dan mungkin lebih banyak)" if len(problems) >= MAX_REPORTED else ""
        raise ImportRefused(
            "Berkas ditolak seluruhnya, tidak ada yang disimpan. / File refused, nothing saved.\n"
            + "\n".join(problems) + more,
            extra={"problems": problems},
        )
    rows.sort(key=lambda r: (DEPTH[r.level], r.code))
    return rows


def _example(level: str) -> str:
    return {"province": "35", "regency": "35.10", "district": "35.10.01", "village": "35.10.01.2001"}[level]
