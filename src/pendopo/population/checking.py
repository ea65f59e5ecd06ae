"""Checking one row of a civil-registry extract (plain Python, no Django): the import runs it in
worker processes on large files, so this module imports nothing that needs Django set up.

A row becomes a ``Clean`` row (its values in the registry's form, and the sound keys of its
name for search) or a (column, reason) pair for the quarantine, in Bahasa Indonesia."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pendopo.linkage.address import normalise_village_code
from pendopo.linkage.dates import parse_date
from pendopo.linkage.names import normalise_name
from pendopo.linkage.nik import clean_digits, nik_problem, parse_nik
from pendopo.linkage.records import normalise_sex
from pendopo.population.values import registry_status, split_address

# Fields an import may change, in the order they are compared.
FIELDS = ("nik", "name", "sex", "birth_place", "birth_date", "religion", "marital_status", "occupation", "education",
          "village_id", "dusun", "rt", "rw", "status", "nik_exception_reason")


def name_tokens(name: str | None) -> list[str]:
    """The sound keys of a name's words, each once, in order (titles and 'bin/binti' dropped)."""
    out: list[str] = []
    for key in normalise_name(name).phonetic:
        k = key[:40]
        if k and k not in out:
            out.append(k)
    return out


@dataclass(slots=True)
class Clean:
    line: int
    person_id: str
    kk: str
    relationship: str
    values: dict[str, Any]
    tokens: tuple[str, ...] = ()

    def packed(self) -> tuple[Any, ...]:
        return (self.line, self.person_id, self.kk, self.relationship, self.tokens, *(self.values[f] for f in FIELDS))

    @classmethod
    def unpacked(cls, t: tuple[Any, ...]) -> Clean:
        return cls(t[0], t[1], t[2], t[3], dict(zip(FIELDS, t[5:], strict=True)), t[4])


def choice_key(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("/", "_")


@dataclass(frozen=True)
class Checker:
    """What checking needs from the database and the settings, taken once by the import:
    the known village codes, today, and each choice field's accepted words → stored value."""

    villages: frozenset[str]
    today: dt.date
    choices: Mapping[str, Mapping[str, str]]

    def choice(self, kind: str, value: object) -> str:
        text = choice_key(str(value or ""))
        return self.choices[kind].get(text, "") if text else ""

    def check(self, line: int, cells: Mapping[str, object]) -> Clean | tuple[str, str]:
        """A clean row, or (column, reason) for the quarantine."""
        pid = str(cells.get("person_id") or "").strip()
        if not pid:
            return "person_id", "person_id kosong"
        if len(pid) > 40:
            return "person_id", "person_id lebih dari 40 karakter"
        name = " ".join(str(cells.get("name") or "").split())
        if not name:
            return "name", "nama kosong"
        sex = normalise_sex(cells.get("sex"))
        if not sex:
            return "sex", f"jenis kelamin '{cells.get('sex') or ''}' tidak dikenal (L/P)"
        birth = parse_date(cells.get("birth_date"), today=self.today).date
        if birth is None and parse_date(cells.get("birth_date"), today=dt.date.max).date is not None:
            return "birth_date", "tanggal lahir di masa depan"
        if birth is None:
            return "birth_date", f"tanggal lahir '{cells.get('birth_date') or ''}' tidak dapat dibaca (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY)"
        parsed = parse_nik(cells.get("nik"))
        exception = str(cells.get("nik_exception_reason") or "").strip()[:250]
        problem = nik_problem(parsed, sex, birth)
        # Only a well-formed NIK that disagrees with the birth date can be accepted with a reason.
        structural = nik_problem(parsed, "", None) if problem else ""
        if structural or (problem and not exception):
            return "nik", problem or "NIK tidak sah"
        kk, _, _ = clean_digits(cells.get("kk"))
        if len(kk) != 16 or not kk.isdigit():
            return "kk", "nomor KK harus 16 digit"
        village = normalise_village_code(cells.get("village_code"))
        if village not in self.villages:
            return "village_code", f"kode desa '{cells.get('village_code') or ''}' tidak dikenal"
        status = registry_status(cells.get("status"))
        if status is None:
            return "status", f"status '{cells.get('status')}' tidak dikenal (alive, deceased, moved)"
        dusun, rt, rw = split_address(cells.get("address"))
        name = name[:150]
        return Clean(line, pid, kk, self.choice("relationship", cells.get("relationship")), {
            "nik": parsed.digits, "name": name, "sex": sex, "birth_place": str(cells.get("birth_place") or "").strip()[:80],
            "birth_date": birth, "religion": self.choice("religion", cells.get("religion")),
            "marital_status": self.choice("marital_status", cells.get("marital_status")),
            "occupation": str(cells.get("occupation") or "").strip()[:80], "education": self.choice("education", cells.get("education")),
            "village_id": village, "dusun": dusun, "rt": rt[:3], "rw": rw[:3], "status": status,
            "nik_exception_reason": exception if problem else "",
        }, tuple(name_tokens(name)))


Batch = list[tuple[int, list[object]]]  # (line, the row's cells as read)
Checked = tuple[list[tuple[int, str, str]], bytes, list[tuple[int, str, str]]]


def check_batch(checker: Checker, columns: Mapping[str, int], batch: Batch) -> Checked:
    """Check a batch of rows as read from the file (``columns``: field → position). Returns the
    (line, person id, NIK) of each clean row, the clean rows themselves already pickled (the
    import writes them to its temporary file as they are), and (line, column, reason) of each
    row for the quarantine."""
    keys: list[tuple[int, str, str]] = []
    clean: list[tuple[Any, ...]] = []
    bad: list[tuple[int, str, str]] = []
    for line, row in batch:
        cells = {c: (row[i] if i < len(row) else None) for c, i in columns.items()}
        got = checker.check(line, cells)
        if isinstance(got, Clean):
            keys.append((line, got.person_id, got.values["nik"]))
            clean.append(got.packed())
        else:
            bad.append((line, *got))
    return keys, pickle.dumps(clean, protocol=pickle.HIGHEST_PROTOCOL), bad


# In a worker process: what check_batch needs, sent once when the worker starts.
_worker: tuple[Checker, Mapping[str, int]] | None = None


def worker_start(checker: Checker, columns: Mapping[str, int]) -> None:
    global _worker  # noqa: PLW0603 - one per worker process
    _worker = (checker, columns)
    _die_with_parent()


def _die_with_parent() -> None:
    """On Linux, end this worker when the importing process is killed (a SIGKILL gives the pool
    no chance to stop its workers; they would wait on their pipe for ever)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def worker_check(batch: Batch) -> Checked:
    assert _worker is not None  # noqa: S101 - set by worker_start
    return check_batch(*_worker, batch)
