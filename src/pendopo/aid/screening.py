"""Screening decisions: the contract's reason codes applied to one intake row (no Django).

The engine resolves each row to a registry person (``pendopo.linkage``); this module turns the
resolution, the registry's facts about the person and the holdings of every scheme into
``accept``, ``reject`` or ``review`` with reason codes and one sentence in Bahasa Indonesia.
The file command (``aid/batch.py``), the API and the pages all call ``decide``, so they give
the same answers on the same data.

Reject needs a confident identity: a row is rejected only when it resolves to exactly one
registry person (or repeats an earlier row). When the identity is uncertain the honest answer
is ``review``, and a reject reason that hangs on an uncertain identity is not given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from pendopo.aid.rules import Catalogue, Rule, normalise_code
from pendopo.linkage.index import Resolution, Status
from pendopo.linkage.nik import ParsedNik, nik_problem, parse_nik


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    REVIEW = "review"


class Reason(StrEnum):
    COVERED = "COVERED"
    DECEASED = "DECEASED"
    DUPLICATE_IN_BATCH = "DUPLICATE_IN_BATCH"
    NIK_INVALID = "NIK_INVALID"
    NIK_MISMATCH = "NIK_MISMATCH"
    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"
    AMBIGUOUS = "AMBIGUOUS"
    MOVED = "MOVED"
    ALREADY_PROPOSED = "ALREADY_PROPOSED"
    # Beyond the contract's minimum: a holder row of another scheme that could be this
    # person or family but was not resolved with confidence (it waits in reconciliation).
    POSSIBLY_COVERED = "POSSIBLY_COVERED"
    # A later row that is confidently a person an earlier, unresolved row probably was.
    POSSIBLE_DUPLICATE = "POSSIBLE_DUPLICATE"


# The contract fixes the codes a client sees. The two uncertain variants are shown under the
# code they qualify, with decision ``review`` and an explanation that says "mungkin" (maybe).
_CONTRACT = {Reason.POSSIBLY_COVERED: Reason.COVERED, Reason.POSSIBLE_DUPLICATE: Reason.DUPLICATE_IN_BATCH}


def contract_code(code: Reason) -> str:
    return _CONTRACT.get(code, code).value


REJECTING = frozenset({Reason.COVERED, Reason.DECEASED, Reason.DUPLICATE_IN_BATCH, Reason.MOVED, Reason.ALREADY_PROPOSED})

# One message per code, in Bahasa Indonesia (the contract's explanation language); the pages
# translate these through the catalogue for English readers.
MESSAGES: dict[Reason, str] = {
    Reason.COVERED: "sudah menerima bantuan yang tidak boleh tumpang tindih",
    Reason.DECEASED: "penduduk tercatat sudah meninggal",
    Reason.DUPLICATE_IN_BATCH: "orang yang sama sudah ada di baris sebelumnya",
    Reason.NIK_INVALID: "NIK tidak sah",
    Reason.NIK_MISMATCH: "NIK yang diketik bukan NIK penduduk ini",
    Reason.NOT_IN_REGISTRY: "tidak ditemukan di data kependudukan",
    Reason.AMBIGUOUS: "lebih dari satu penduduk sama cocoknya",
    Reason.MOVED: "penduduk tercatat sudah pindah keluar kabupaten",
    Reason.ALREADY_PROPOSED: "sudah diusulkan untuk skema dan periode ini",
    Reason.POSSIBLE_DUPLICATE: "mungkin orang yang sama dengan baris sebelumnya",
    Reason.POSSIBLY_COVERED: "mungkin sudah menerima bantuan yang tidak boleh tumpang tindih (data penerima belum terpadankan)",
}


@dataclass(frozen=True, slots=True)
class RegistryPerson:
    person_id: str
    nik: str
    kk: str
    status: str  # alive | deceased | moved
    name: str = ""


@dataclass(frozen=True, slots=True)
class Holding:
    person_id: str
    scheme: str
    component: str = ""
    certain: bool = True  # False: an unreconciled roll row that may be this person


@dataclass(frozen=True, slots=True)
class Found:
    code: Reason
    message: str
    scheme: str = ""
    person_id: str = ""


@dataclass
class Outcome:
    decision: Decision
    reasons: list[Found]
    person_id: str
    score: float
    explanation: str

    @property
    def codes(self) -> list[str]:
        """The contract's reason codes, each once, in the order found."""
        seen: list[str] = []
        for r in self.reasons:
            code = contract_code(r.code)
            if code not in seen:
                seen.append(code)
        return seen


class Registry:
    """What screening needs of the registry: each person's NIK, KK and status, and the
    members of each KK (current membership)."""

    def __init__(self, people: Iterable[RegistryPerson] = ()) -> None:
        self.people: dict[str, RegistryPerson] = {}
        self.families: dict[str, list[str]] = {}
        for p in people:
            self.add(p)

    def add(self, p: RegistryPerson) -> None:
        self.people[p.person_id] = p
        if p.kk:
            self.families.setdefault(p.kk, []).append(p.person_id)

    def family_of(self, person_id: str) -> list[str]:
        p = self.people.get(person_id)
        if p is None or not p.kk:
            return [person_id]
        return self.families.get(p.kk, [person_id])


class Holdings:
    """Current holdings of every scheme, by registry person."""

    def __init__(self, holdings: Iterable[Holding] = ()) -> None:
        self.by_person: dict[str, list[Holding]] = {}
        for h in holdings:
            self.add(h)

    def add(self, h: Holding) -> None:
        self.by_person.setdefault(h.person_id, []).append(h)

    def of(self, person_id: str) -> list[Holding]:
        return self.by_person.get(person_id, [])


_COMPONENTS = {"hamil": ("hamil", "bumil", "pregnan", "kehamilan"), "balita": ("balita", "toddler", "anak usia dini"),
               "sekolah": ("sekolah", "school", "pendidikan"), "lansia": ("lansia", "elderly", "lanjut usia"),
               "disabilitas": ("disabilitas", "disability", "difabel")}


def normalise_component(value: object) -> str:
    text = str(value or "").strip().lower()
    for key, words in _COMPONENTS.items():
        if any(w in text for w in words):
            return key
    return text


def _matches(rule: Rule, h: Holding) -> bool:
    return h.scheme == rule.held and (not rule.component or normalise_component(h.component) == normalise_component(rule.component))


@dataclass
class Typed:
    """What the row itself says about the NIK, prepared once per row."""

    nik: ParsedNik
    sex: str
    birth: dt.date | None

    @classmethod
    def of(cls, nik: object, sex: str, birth_ordinal: int) -> Typed:
        return cls(parse_nik(nik), sex, dt.date.fromordinal(birth_ordinal) if birth_ordinal else None)


@dataclass
class Screener:
    """Decides rows of one intake, in order (it remembers earlier rows for duplicates)."""

    catalogue: Catalogue
    scheme: str
    registry: Registry
    holdings: Holdings
    already_proposed: Callable[[RegistryPerson, list[str]], str | None] | None = None
    seen_people: dict[str, int] = field(default_factory=dict)
    seen_niks: dict[str, int] = field(default_factory=dict)
    maybe_seen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.scheme = normalise_code(self.scheme)
        found = self.catalogue.scheme(self.scheme)
        if found is None:
            raise KeyError(self.scheme)
        self.definition = found
        self.rules = self.catalogue.conflicts(self.scheme)

    def decide(self, row: int, typed: Typed, resolution: Resolution) -> Outcome:
        reasons: list[Found] = []
        best = resolution.best
        score = round(best.probability, 6) if best else 0.0
        problem = nik_problem(typed.nik, typed.sex, typed.birth)
        if resolution.status != Status.MATCH or best is None:
            return self._unresolved(row, typed, resolution, problem, score)
        person = self.registry.people.get(best.id)
        if person is None:  # the index and the registry disagree: never guess
            return self._unresolved(row, typed, resolution, problem, score)
        pid = person.person_id
        if typed.nik.digits != person.nik:
            if problem or typed.nik.digits is None:
                reasons.append(Found(Reason.NIK_INVALID, f"{problem or 'NIK tidak sah'}; NIK penduduk ini berbeda"))
            else:
                reasons.append(Found(Reason.NIK_MISMATCH, MESSAGES[Reason.NIK_MISMATCH]))
        if person.status == "deceased":
            reasons.append(Found(Reason.DECEASED, MESSAGES[Reason.DECEASED], person_id=pid))
        elif person.status == "moved":
            reasons.append(Found(Reason.MOVED, MESSAGES[Reason.MOVED], person_id=pid))
        earlier = self.seen_people.get(pid)
        if earlier is not None:
            reasons.append(Found(Reason.DUPLICATE_IN_BATCH, f"orang yang sama sudah ada di baris {earlier}", person_id=pid))
        else:
            maybe = self.maybe_seen.get(pid)
            if maybe is not None:
                reasons.append(Found(Reason.POSSIBLE_DUPLICATE, f"mungkin orang yang sama dengan baris {maybe}", person_id=pid))
            self.seen_people[pid] = row
            if typed.nik.digits:
                self.seen_niks.setdefault(typed.nik.digits, row)
        family = self.registry.family_of(pid)
        reasons += self._covered(person, family)
        if self.already_proposed is not None:
            note = self.already_proposed(person, family)
            if note:
                reasons.append(Found(Reason.ALREADY_PROPOSED, note, scheme=self.scheme, person_id=pid))
        return _outcome(reasons, pid, score, self.scheme)

    def _covered(self, person: RegistryPerson, family: list[str]) -> list[Found]:
        out: list[Found] = []
        pid = person.person_id
        held = [(m, h) for m in family for h in self.holdings.of(m)]
        if not held:
            return out  # most families hold nothing: no rule can apply
        for rule in self.rules:
            certain = [(m, h) for m, h in held if (rule.unit == "family" or m == pid) and _matches(rule, h)]
            hit = next(((m, h) for m, h in certain if h.certain), None)
            if hit is not None:
                m, h = hit
                who = "orang ini" if m == pid else f"anggota keluarganya ({m})"
                comp = f" komponen {h.component}" if rule.component else ""
                out.append(Found(Reason.COVERED, f"{who} sudah menerima {h.scheme}{comp}", scheme=h.scheme, person_id=m))
            elif certain:
                m, h = certain[0]
                who = "orang ini" if m == pid else f"anggota keluarganya ({m})"
                out.append(Found(Reason.POSSIBLY_COVERED, f"{who} mungkin menerima {h.scheme} (data penerima belum terpadankan)",
                                 scheme=h.scheme, person_id=m))
        cap = self.definition.max_per_family
        if cap:
            holders = {m for m, h in held if h.scheme == self.scheme and h.certain}
            if len(holders) >= cap and pid not in holders:
                out.append(Found(Reason.COVERED, f"sudah {len(holders)} anggota keluarga menerima {self.scheme} (batas {cap} per KK)",
                                 scheme=self.scheme))
        return out

    def _unresolved(self, row: int, typed: Typed, resolution: Resolution, problem: str, score: float) -> Outcome:
        reasons: list[Found] = []
        if problem:
            reasons.append(Found(Reason.NIK_INVALID, problem))
        digits = typed.nik.digits
        earlier = self.seen_niks.get(digits) if digits and not problem else None
        if earlier is not None:
            reasons.append(Found(Reason.DUPLICATE_IN_BATCH, f"NIK yang sama sudah ada di baris {earlier}"))
        elif digits and not problem:
            self.seen_niks[digits] = row
        if resolution.status == Status.POSSIBLE:
            for c in resolution.candidates:
                if c.probability >= 0.5:
                    self.maybe_seen.setdefault(c.id, row)
        if resolution.ambiguous:
            ids = ", ".join(c.id for c in resolution.candidates[:3])
            reasons.append(Found(Reason.AMBIGUOUS, f"{MESSAGES[Reason.AMBIGUOUS]} ({ids})"))
        elif resolution.status == Status.POSSIBLE and resolution.best is not None:
            reasons.append(Found(Reason.NOT_IN_REGISTRY, f"tidak ditemukan dengan pasti; paling mirip {resolution.best.id} "
                                                         f"(skor {resolution.best.probability:.2f}), perlu diperiksa"))
        else:
            reasons.append(Found(Reason.NOT_IN_REGISTRY, MESSAGES[Reason.NOT_IN_REGISTRY]))
        return _outcome(reasons, "", score, self.scheme)


def _outcome(reasons: list[Found], person_id: str, score: float, scheme: str) -> Outcome:
    codes = {r.code for r in reasons}
    if codes & REJECTING:
        decision = Decision.REJECT
    elif codes:
        decision = Decision.REVIEW
    else:
        decision = Decision.ACCEPT
    return Outcome(decision, reasons, person_id, score, explain(decision, reasons, person_id, scheme))


_REASON_ORDER = {code: i for i, code in enumerate(Reason)}  # rejecting reasons first, then in this order
_LEAD = {Decision.ACCEPT: "Diterima", Decision.REJECT: "Ditolak", Decision.REVIEW: "Perlu diperiksa"}


def explain(decision: Decision, reasons: list[Found], person_id: str, scheme: str) -> str:
    """One sentence in Bahasa Indonesia: the decision, who the row is, and why."""
    who = f"cocok dengan penduduk {person_id}" if person_id else ""
    if decision == Decision.ACCEPT:
        return f"Diterima untuk {scheme}: {who}, NIK benar, dan tidak ada bantuan yang tumpang tindih."
    ordered = sorted(reasons, key=lambda r: (r.code not in REJECTING, _REASON_ORDER[r.code]))
    body = "; ".join(r.message for r in ordered)
    return f"{_LEAD[decision]} untuk {scheme}: {who + '; ' if who else ''}{body}."


def outcome_reasons_json(outcome: Outcome) -> list[dict[str, str]]:
    """The API's reason objects: code, message, and scheme and person_id where they apply."""
    out: list[dict[str, str]] = []
    for r in outcome.reasons:
        item = {"code": contract_code(r.code), "message": r.message}
        if r.scheme:
            item["scheme"] = r.scheme
        if r.person_id:
            item["person_id"] = r.person_id
        out.append(item)
    return out
