"""A screening scenario with known answers: a registry, the rolls of existing schemes (dirty, as
other agencies deliver them), and a village intake for one scheme whose every row carries the
decision the contract expects.

The intake mixes eligible residents, holders, family members of holders (the young man whose
father holds BST), deceased and moved residents, people who are not in the registry, namesakes
in the same village and rows repeated within the batch; every row goes through the
``errors.Messer`` (wrong NIK digits, truncation, KK typed as NIK, typos, old spelling, …).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pendopo.testdata.errors import Messer, Row, dirty_sample, registry

ROLL_SHARES = {"PKH": 0.10, "BPNT": 0.12, "BST": 0.04, "PRAKERJA": 0.01, "BPUM": 0.02, "PBI-JK": 0.25}
PERSON_SCHEMES = {"PRAKERJA", "BPUM", "PBI-JK"}
# BLT-DD's default rule: a family in which any member holds one of these is rejected.
BLT_DD_CONFLICTS = {"PKH", "BPNT", "BST", "PRAKERJA", "BLT-DD"}


@dataclass(frozen=True)
class Expected:
    decision: str  # accept | reject | review
    reason: str  # the main reason code, "" for accept
    person_id: str  # "" when not in the registry
    kind: str  # what the row was built as


@dataclass
class Scenario:
    registry: list[Row]
    rolls: list[tuple[Row, str]]  # (row as delivered, scheme)
    intake: list[Row]
    expected: list[Expected]

    def write(self, folder: str | Path, *, fmt: str = "csv") -> dict[str, Path]:
        """The three contract files (CSV, or XLSX with ``fmt="xlsx"``) and the answers."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        person = ["nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code"]
        files = {
            "registry": (["person_id", *person, "status"], [r.as_dict() for r in self.registry]),
            "rolls": ([*person, "scheme"], [{**r.as_dict(), "scheme": s} for r, s in self.rolls]),
            "intake": (person, [r.as_dict() for r in self.intake]),
        }
        paths: dict[str, Path] = {}
        for name, (header, rows) in files.items():
            path = out / f"{name}.{fmt}"
            if fmt == "xlsx":
                from openpyxl import Workbook

                wb = Workbook(write_only=True)
                ws = wb.create_sheet()
                ws.append(header)
                for r in rows:
                    ws.append([r.get(h, "") for h in header])
                wb.save(path)
            else:
                with path.open("w", newline="", encoding="utf-8") as f:
                    w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
                    w.writeheader()
                    w.writerows(rows)
            paths[name] = path
        with (out / "expected.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["row", "decision", "reason", "person_id", "kind"])
            for i, e in enumerate(self.expected, start=1):
                w.writerow([i, e.decision, e.reason, e.person_id, e.kind])
        paths["expected"] = out / "expected.csv"
        return paths


def scenario(residents: int, intake: int, *, seed: int = 11, scheme: str = "BLT-DD", roll_rate: float = 0.5,
             intake_rate: float = 1.0, villages: Sequence[str] | None = None) -> Scenario:
    """A registry of about ``residents`` people, rolls for the schemes of ``ROLL_SHARES`` and an
    intake of ``intake`` rows for ``scheme`` (BLT-DD's default rule decides the answers)."""
    rng = random.Random(seed)
    reg = registry(residents, seed=seed, villages=list(villages) if villages else None)
    families: dict[str, list[Row]] = {}
    for r in reg:
        families.setdefault(r.kk, []).append(r)
    alive = [r for r in reg if r.status == "alive"]
    # Rolls: family schemes go to one adult of a family; person schemes to a person.
    holdings: dict[str, set[str]] = {}
    roll_rows: list[tuple[Row, str]] = []
    messer = Messer(seed=seed + 1, rate=roll_rate)
    village_codes = sorted({r.village_code for r in reg})
    kks = list(families)
    for code, share in ROLL_SHARES.items():
        if code in PERSON_SCHEMES:
            chosen = rng.sample(alive, int(len(alive) * share))
        else:
            picked = rng.sample(kks, int(len(kks) * share * 0.3))
            chosen = [families[k][0] for k in picked if families[k][0].status == "alive"]
        for holder in chosen:
            holdings.setdefault(holder.person_id, set()).add(code)
            roll_rows.append((messer.row(holder, village_codes=village_codes), code))
    # A few roll rows of people the registry does not know (another regency's data).
    for o, _ in dirty_sample(reg, 0, seed=seed + 2, outsiders=max(1, len(roll_rows) // 100)):
        roll_rows.append((o, rng.choice(list(ROLL_SHARES))))
    rng.shuffle(roll_rows)

    def covered(row: Row) -> bool:
        return any(holdings.get(m.person_id, set()) & BLT_DD_CONFLICTS for m in families[row.kk])

    holder_ids = {pid for pid, s in holdings.items() if s & BLT_DD_CONFLICTS}
    eligible = [r for r in alive if not covered(r)]
    in_covered = [r for r in alive if covered(r) and r.person_id not in holder_ids]
    holders = [r for r in alive if r.person_id in holder_ids]
    deceased = [r for r in reg if r.status == "deceased"]
    moved = [r for r in reg if r.status == "moved"]
    plan = [("eligible", eligible, 0.55), ("family_of_holder", in_covered, 0.15), ("holder", holders, 0.08),
            ("deceased", deceased, 0.03), ("moved", moved, 0.03)]
    picks: list[tuple[str, Row]] = []
    used: set[str] = set()
    for kind, pool, share in plan:
        want = min(len(pool), int(intake * share))
        for r in rng.sample(pool, want):
            if r.person_id not in used:
                used.add(r.person_id)
                picks.append((kind, r))
    outsiders = max(1, int(intake * 0.06))
    intake_messer = Messer(seed=seed + 3, rate=intake_rate)
    rows: list[Row] = []
    expected: list[Expected] = []
    for kind, r in picks:
        dirty = intake_messer.row(r, village_codes=village_codes)
        rows.append(dirty)
        expected.append(_expect(kind, r, dirty))
    for o, _ in dirty_sample(reg, 0, seed=seed + 4, outsiders=outsiders):
        rows.append(o)
        expected.append(Expected("review", "NOT_IN_REGISTRY", "", "outsider"))
    # Repeats inside the batch: a second, differently typed copy of earlier rows.
    order = list(range(len(rows)))
    rng.shuffle(order)
    rows = [rows[i] for i in order]
    expected = [expected[i] for i in order]
    by_id = {r.person_id: r for r in reg}
    repeats = [e.person_id for e in expected if e.person_id][: max(1, int(intake * 0.02))]
    for pid in repeats:
        i = next(k for k, e in enumerate(expected) if e.person_id == pid)
        original = by_id[pid]
        at = rng.randrange(i + 1, len(rows) + 1)
        rows.insert(at, intake_messer.row(original, village_codes=village_codes))
        expected.insert(at, Expected("reject", "DUPLICATE_IN_BATCH", original.person_id, "repeat"))
    # Intake rows carry only the person columns.
    rows = [replace(r, person_id="", status="") for r in rows]
    return Scenario(reg, roll_rows, rows, expected)


def _expect(kind: str, truth: Row, dirty: Row) -> Expected:
    if kind == "deceased":
        return Expected("reject", "DECEASED", truth.person_id, kind)
    if kind == "moved":
        return Expected("reject", "MOVED", truth.person_id, kind)
    if kind in ("holder", "family_of_holder"):
        return Expected("reject", "COVERED", truth.person_id, kind)
    from pendopo.linkage.nik import parse_nik

    if parse_nik(dirty.nik).digits != truth.nik:
        return Expected("review", "NIK_MISMATCH", truth.person_id, kind)
    return Expected("accept", "", truth.person_id, kind)
