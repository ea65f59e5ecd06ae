"""A small hand-made registry whose every person exists to test one rule or reason code."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from pendopo.linkage.nik import birth_part

V = "35.10.09.2001"
PERSON = ["nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code"]


def nik(birth: str, sex: str, serial: int) -> str:
    return "351009" + birth_part(dt.date.fromisoformat(birth), sex) + f"{serial:04d}"


def kk(serial: int) -> str:
    return f"3510091203150{serial:03d}"


# person_id: (name, sex, birth, kk serial, status, dusun, rt)
PEOPLE = {
    "A1": ("Slamet Riyadi", "L", "1960-03-04", 1, "alive", "Krajan", 1),  # holds BST
    "A2": ("Bagus Setiawan", "L", "1995-07-21", 1, "alive", "Krajan", 1),  # his son
    "B1": ("Siti Aminah", "P", "1980-05-12", 2, "alive", "Krajan", 2),  # eligible
    "B2": ("Paiman", "L", "1950-09-09", 2, "deceased", "Krajan", 2),
    "B3": ("Rudi Hartono", "L", "1990-02-14", 2, "moved", "Krajan", 2),
    "C1": ("Dewi Lestari", "P", "1998-11-30", 3, "alive", "Sumberejo", 3),  # holds PRAKERJA
    "C2": ("Agus Salim", "L", "1996-01-17", 3, "alive", "Sumberejo", 3),
    "D1": ("Nur Hidayah", "P", "1993-04-08", 4, "alive", "Sumberejo", 4),  # holds PKH, pregnancy component
    "D2": ("Eko Prasetyo", "L", "1991-06-25", 4, "alive", "Sumberejo", 4),
    "E1": ("Sri Wahyuni", "P", "1985-08-03", 5, "alive", "Gumuk", 5),  # holds PKH, no component
    "E2": ("Joko Susilo", "L", "1984-12-19", 5, "alive", "Gumuk", 5),
    "F1": ("Ahmad Fauzi", "L", "1975-10-10", 6, "alive", "Gumuk", 6),  # holds APBD food parcel
    "F2": ("Lilis Suryani", "P", "1977-03-22", 6, "alive", "Gumuk", 6),
    # Two registry records that fit a NIK-less row equally well (a duplicated registration).
    "G1": ("Wagiman", "L", "1948-07-01", 7, "alive", "Gumuk", 7),
    "G2": ("Wagiman", "L", "1948-07-01", 8, "alive", "Gumuk", 7),
}
ROLLS = [("A1", "BST", ""), ("C1", "PRAKERJA", ""), ("D1", "PKH", "hamil"), ("E1", "PKH", ""), ("F1", "APBD", "")]


def person_row(pid: str, **override: str) -> dict[str, str]:
    name, sex, birth, k, _status, dusun, rt = PEOPLE[pid]
    row = {"nik": nik(birth, sex, int(pid[1]) + 10 * (ord(pid[0]) - 64)), "kk": kk(k), "name": name, "sex": sex,
           "birth_place": "Banyuwangi", "birth_date": birth, "address": f"Dusun {dusun} RT {rt:03d} RW 001", "village_code": V}
    row.update(override)
    return row


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def registry_file(folder: Path) -> Path:
    rows = [{"person_id": pid, **person_row(pid), "status": PEOPLE[pid][4]} for pid in PEOPLE]
    return write(folder / "registry.csv", ["person_id", *PERSON, "status"], rows)


def rolls_file(folder: Path) -> Path:
    rows = [{**person_row(pid, name=PEOPLE[pid][0].upper()), "scheme": scheme, "component": comp} for pid, scheme, comp in ROLLS]
    return write(folder / "rolls.csv", [*PERSON, "scheme", "component"], rows)


def intake_file(folder: Path, rows: list[dict[str, str]], name: str = "intake.csv") -> Path:
    return write(folder / name, PERSON, rows)


def read_decisions(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
