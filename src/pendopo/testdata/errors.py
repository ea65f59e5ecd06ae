"""Dirty copies of registry people, with the errors DOMAIN.md lists for village spreadsheets
and agency rolls: wrong NIK digits, swapped neighbours, spreadsheet truncation and scientific
notation, the KK number in the NIK column, blanks; typos, capitals, old spelling,
abbreviations, titles and degrees in names; day/month swaps and every date format; address
and village-code variations. Each dirty row keeps the id of the person it came from.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from pendopo.testdata.population import Generator, split_population

OLD_SPELLING = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"), ("kh", "ch"), ("sy", "sj"))
ABBREVIATIONS = {"Muhammad": ["M.", "Moh.", "Moch.", "Muh.", "Mochammad", "Mohammad", "Muhamad"],
                 "Mohammad": ["M.", "Moh.", "Muhammad"], "Mochammad": ["Moch.", "M."], "Abdul": ["Abd.", "Abd"],
                 "Ahmad": ["Achmad", "Akhmad"], "Achmad": ["Ahmad"], "Akhmad": ["Ahmad", "Achmad"]}


@dataclass(frozen=True)
class Row:
    """One person row in the contract's person columns, plus bookkeeping."""

    person_id: str
    nik: str
    kk: str
    name: str
    sex: str
    birth_place: str
    birth_date: str
    address: str
    village_code: str
    status: str = "alive"

    def as_dict(self) -> dict[str, str]:
        return {"person_id": self.person_id, "nik": self.nik, "kk": self.kk, "name": self.name, "sex": self.sex,
                "birth_place": self.birth_place, "birth_date": self.birth_date, "address": self.address,
                "village_code": self.village_code, "status": self.status}


def registry(residents: int, *, seed: int = 1, villages: list[str] | None = None, names: dict[str, str] | None = None) -> list[Row]:
    """A clean registry extract of about ``residents`` people in Banyuwangi's villages."""
    from pathlib import Path

    if villages is None:
        import csv

        path = Path(__file__).resolve().parents[1] / "core" / "data" / "wilayah_banyuwangi_villages.csv"
        with path.open(encoding="utf-8") as f:
            villages_rows = list(csv.DictReader(f))
        villages = [r["code"] for r in villages_rows]
        names = {r["code"]: r["name"] for r in villages_rows}
    else:
        names = names or {v: v for v in villages}
    gen = Generator(seed=seed)
    rows: list[Row] = []
    for code, share in split_population(residents, villages, seed=seed).items():
        for h in gen.village(code=code, name=names[code], residents=share):
            address = f"Dusun {h.dusun} RT {h.rt} RW {h.rw}"
            for p in h.members:
                rows.append(Row(f"P{len(rows) + 1:08d}", p.nik, h.kk_number, p.name, p.sex, p.birth_place,
                                p.birth_date.isoformat(), address, code, p.status))
    return rows


class Messer:
    """Applies realistic errors with the given rates; seeded."""

    def __init__(self, seed: int = 7, rate: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.rate = rate

    def _p(self, p: float) -> bool:
        return self.rng.random() < p * self.rate

    def nik(self, row: Row) -> str:
        r, nik = self.rng, row.nik
        roll = r.random() / max(self.rate, 1e-9)
        if roll < 0.03:
            return ""
        if roll < 0.07:
            i = r.randrange(16)
            return nik[:i] + r.choice([d for d in "0123456789" if d != nik[i]]) + nik[i + 1 :]
        if roll < 0.10:
            i = r.randrange(15)
            return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
        if roll < 0.13:
            return nik[:15] + "0"  # stored as a number: 15 significant digits
        if roll < 0.145:
            return f"{int(nik) / 1e15:.5f}E+15".replace(".00000", "")
        if roll < 0.165:
            return row.kk  # KK number typed in the NIK column
        if roll < 0.19:
            return r.choice(["'" + nik, nik + " ", " " + nik, nik[:4] + " " + nik[4:8] + " " + nik[8:12] + " " + nik[12:]])
        return nik

    def kk(self, kk: str) -> str:
        """Blank, or an older card: the KK number changes when a family moves or splits."""
        if self._p(0.08):
            return ""
        if self._p(0.05) and kk:
            return kk[:6] + f"{self.rng.randint(1, 28):02d}{self.rng.randint(1, 12):02d}{self.rng.randint(8, 20):02d}" + f"{self.rng.randint(1, 40):04d}"
        return kk

    def name(self, name: str) -> str:
        r = self.rng
        words = name.replace(",", " ,").split()
        if words and words[0] in ABBREVIATIONS and self._p(0.5):
            words[0] = r.choice(ABBREVIATIONS[words[0]])
        if self._p(0.05):
            w = r.randrange(len(words))
            for new, old in OLD_SPELLING:
                if new in words[w].lower():
                    words[w] = words[w].replace(new, old).replace(new.capitalize(), old.capitalize())
                    break
        if len(words) >= 3 and self._p(0.03):
            del words[r.randrange(1, len(words))]
        if len(words) >= 2 and self._p(0.02):
            words[0], words[1] = words[1], words[0]
        text = " ".join(words).replace(" ,", ",")
        if self._p(0.08) and len(text) > 4:
            i = r.randrange(1, len(text) - 1)
            op = r.random()
            if op < 0.4:
                text = text[:i] + text[i + 1 :]
            elif op < 0.7:
                text = text[:i] + r.choice("aiueonmrs") + text[i + 1 :]
            else:
                text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if self._p(0.03):
            text = r.choice(["H. ", "Hj. "]) + text
        if self._p(0.3):
            text = text.upper()
        elif self._p(0.05):
            text = text.lower()
        return text

    def birth_date(self, iso: str) -> str:
        r = self.rng
        d = dt.date.fromisoformat(iso)
        if self._p(0.02):
            return ""
        if self._p(0.03) and d.day <= 12 and d.day != d.month:
            d = dt.date(d.year, d.day, d.month)
        elif self._p(0.01):
            try:
                d = d.replace(year=d.year + r.choice([-1, 1]))
            except ValueError:
                pass
        fmt = r.random()
        if fmt < 0.4:
            return d.isoformat()
        if fmt < 0.65:
            return d.strftime("%d-%m-%Y")
        if fmt < 0.9:
            return d.strftime("%d/%m/%Y")
        return str((d - dt.date(1899, 12, 30)).days)

    def address(self, address: str) -> str:
        r = self.rng
        parts = address.split()
        dusun, rt, rw = parts[1], int(parts[3]), int(parts[5])
        return r.choice([
            f"Dusun {dusun} RT {rt:03d} RW {rw:03d}", f"Dsn. {dusun} RT.{rt:02d}/RW.{rw:02d}", f"{dusun.upper()} {rt:03d}/{rw:03d}",
            f"Dsn {dusun}, Rt {rt} Rw {rw}", f"RT {rt} RW {rw} Dusun {dusun}",
        ]) if not self._p(0.03) else ""

    def row(self, row: Row, *, village_codes: list[str] | None = None) -> Row:
        village = row.village_code
        if village_codes and self._p(0.01):
            village = self.rng.choice([v for v in village_codes if v[:8] == village[:8]] or village_codes)
        if self._p(0.2):
            village = village.replace(".", "")
        sex = row.sex
        if self._p(0.02):
            sex = ""
        elif self._p(0.005):
            sex = "P" if sex == "L" else "L"
        return replace(
            row, nik=self.nik(row), kk=self.kk(row.kk), name=self.name(row.name), sex=sex,
            birth_place="" if self._p(0.1) else (row.birth_place.upper() if self._p(0.3) else row.birth_place),
            birth_date=self.birth_date(row.birth_date), address=self.address(row.address), village_code=village,
        )


def dirty_sample(rows: list[Row], n: int, *, seed: int = 7, rate: float = 1.0, outsiders: int = 0) -> Iterator[tuple[Row, str | None]]:
    """``n`` dirty copies of random registry rows (truth = their person_id), then ``outsiders``
    people who are not in the registry (truth = None), generated with the same distributions."""
    rng = random.Random(seed)
    messer = Messer(seed=seed, rate=rate)
    villages = sorted({r.village_code for r in rows})
    for row in rng.sample(rows, n):
        yield messer.row(row, village_codes=villages), row.person_id
    if outsiders:
        # People who are not in the registry: same villages and naming (so namesakes occur),
        # NIK serials above any the registry uses, so no outsider carries a registry NIK.
        others = registry(outsiders, seed=seed + 1000, villages=villages, names=_village_names(rows))
        for o in others[:outsiders]:
            shifted = o.nik[:12] + f"{int(o.nik[12:]) + 5000:04d}"
            kk = o.kk[:12] + f"{int(o.kk[12:]) + 5000:04d}"
            yield messer.row(replace(o, person_id="", nik=shifted, kk=kk), village_codes=villages), None


def _village_names(rows: list[Row]) -> dict[str, str]:
    return {r.village_code: r.birth_place for r in rows}
