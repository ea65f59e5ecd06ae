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
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from pendopo.aid.rules import Catalogue, Rule, normalise_code
from pendopo.linkage.i18n import gettext_noop
from pendopo.linkage.index import Resolution, Status
from pendopo.linkage.nik import ParsedNik, nik_problem_says, parse_nik, plain_nik


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

# One message per code, in Bahasa Indonesia (the contract's explanation language). Every
# message is a template marked for the catalogue; a ``Text`` keeps template and values, so a page
# shows the same sentence in its reader's language (``render`` with a translation).
MESSAGES: dict[Reason, str] = {
    Reason.COVERED: gettext_noop("sudah menerima bantuan yang tidak boleh tumpang tindih"),
    Reason.DECEASED: gettext_noop("penduduk tercatat sudah meninggal"),
    Reason.DUPLICATE_IN_BATCH: gettext_noop("orang yang sama sudah ada di baris sebelumnya"),
    Reason.NIK_INVALID: gettext_noop("NIK tidak sah"),
    Reason.NIK_MISMATCH: gettext_noop("NIK yang diketik bukan NIK penduduk ini"),
    Reason.NOT_IN_REGISTRY: gettext_noop("tidak ditemukan di data kependudukan"),
    Reason.AMBIGUOUS: gettext_noop("lebih dari satu penduduk sama cocoknya"),
    Reason.MOVED: gettext_noop("penduduk tercatat sudah pindah keluar kabupaten"),
    Reason.ALREADY_PROPOSED: gettext_noop("sudah diusulkan untuk skema dan periode ini"),
    Reason.POSSIBLE_DUPLICATE: gettext_noop("mungkin orang yang sama dengan baris sebelumnya"),
    Reason.POSSIBLY_COVERED: gettext_noop("mungkin sudah menerima bantuan yang tidak boleh tumpang tindih (data penerima belum terpadankan)"),
}

# A sentence kept for rendering later, in any language: a literal (typed by a person, never
# translated), {"t": template, "p": values} where a value may itself be a Text, or a list of
# Texts joined by "; ". It is JSON, so proposals store it beside the Indonesian sentence.
Text = str | dict[str, Any] | list[Any]


def says(template: str, **values: object) -> dict[str, Any]:
    return {"t": template, "p": values} if values else {"t": template}


def render(text: Text, translate: Callable[[str], str] | None = None) -> str:
    """The sentence in Bahasa Indonesia, or through ``translate`` (a gettext) in another language."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "; ".join(render(t, translate) for t in text)
    template = text["t"] if translate is None else translate(text["t"])
    values = text.get("p")
    if not values:
        return template
    return template % {k: render(v, translate) if isinstance(v, dict | list) else v for k, v in values.items()}


# Tuples, not frozen dataclasses: a screening of a hundred thousand rows makes a few hundred
# thousand of them (a frozen dataclass took 2 µs each to make, a tuple well under 1).
class RegistryPerson(NamedTuple):
    person_id: str
    nik: str
    kk: str
    status: str  # alive | deceased | moved
    name: str = ""


class Holding(NamedTuple):
    person_id: str
    scheme: str
    component: str = ""
    certain: bool = True  # False: an unreconciled roll row that may be this person


@dataclass(frozen=True, slots=True, eq=False)
class Found:
    code: Reason
    message: str  # in Bahasa Indonesia
    scheme: str = ""
    person_id: str = ""
    text: Text | None = None  # the message as a Text; None: ``message`` is a literal

    @classmethod
    def says(cls, code: Reason, text: Text, scheme: str = "", person_id: str = "") -> Found:
        return cls(code, render(text), scheme, person_id, text)

    @property
    def wording(self) -> Text:
        return self.message if self.text is None else self.text


@dataclass
class Outcome:
    decision: Decision
    reasons: list[Found]
    person_id: str
    score: float
    explanation: str
    scheme: str = ""

    @property
    def text(self) -> Text:
        """The explanation as a Text, for rendering in the reader's language."""
        return explanation_text(self.decision, self.reasons, self.person_id, self.scheme)

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
        self.extend(people)

    def add(self, p: RegistryPerson) -> None:
        self.extend((p,))

    def extend(self, people: Iterable[RegistryPerson]) -> None:
        by_id, families = self.people, self.families  # one loop with local names: a screening adds 150,000 at once
        for p in people:
            pid, kk = p.person_id, p.kk
            by_id[pid] = p
            if kk:
                families.setdefault(kk, []).append(pid)

    def family_of(self, person_id: str) -> list[str]:
        p = self.people.get(person_id)
        if p is None or not p.kk:
            return [person_id]
        return self.families.get(p.kk, [person_id])


class Holdings:
    """Current holdings of every scheme, by registry person."""

    def __init__(self, holdings: Iterable[Holding] = ()) -> None:
        self.by_person: dict[str, list[Holding]] = {}
        self.extend(holdings)

    def add(self, h: Holding) -> None:
        self.extend((h,))

    def extend(self, holdings: Iterable[Holding]) -> None:
        by_person = self.by_person  # one loop with a local name: a screening adds 100,000 at once
        for h in holdings:
            by_person.setdefault(h.person_id, []).append(h)

    def of(self, person_id: str) -> list[Holding]:
        return self.by_person.get(person_id, [])


_COMPONENTS = {"hamil": ("hamil", "bumil", "pregnan", "kehamilan"), "balita": ("balita", "toddler", "anak usia dini"),
               "sekolah": ("sekolah", "school", "pendidikan"), "lansia": ("lansia", "elderly", "lanjut usia"),
               "disabilitas": ("disabilitas", "disability", "difabel")}


def normalise_component(value: object) -> str:
    return _component(str(value or ""))


@functools.lru_cache(maxsize=1024)
def _component(value: str) -> str:  # a roll has a handful of spellings, met on every holding
    text = value.strip().lower()
    for key, words in _COMPONENTS.items():
        if any(w in text for w in words):
            return key
    return text


def _matches(rule: Rule, h: Holding) -> bool:
    return h.scheme == rule.held and (not rule.component or normalise_component(h.component) == normalise_component(rule.component))


@dataclass(slots=True)
class Typed:
    """What the row itself says about the NIK. The NIK is parsed when it is first read: a row
    that resolves to a person whose NIK it has, 16 clean digits, needs only those digits (a
    2M screening's 92,000 intake rows spent 0.3 s parsing NIKs few of them needed)."""

    raw_nik: object
    sex: str
    birth: dt.date | None
    parsed: ParsedNik | None = None

    @classmethod
    def of(cls, nik: object, sex: str, birth_ordinal: int) -> Typed:
        return cls(nik, sex, dt.date.fromordinal(birth_ordinal) if birth_ordinal else None)

    @property
    def nik(self) -> ParsedNik:
        if self.parsed is None:
            self.parsed = parse_nik(self.raw_nik)
        return self.parsed

    @property
    def digits(self) -> str | None:
        """``nik.digits``, without parsing 16 plain digits (``plain_nik``)."""
        plain = plain_nik(self.raw_nik) if self.parsed is None else None
        return plain if plain is not None else self.nik.digits


@dataclass
class Screener:
    """Decides rows of one intake, in order (it remembers earlier rows for duplicates)."""

    catalogue: Catalogue
    scheme: str
    registry: Registry
    holdings: Holdings
    already_proposed: Callable[[RegistryPerson, list[str]], Text | None] | None = None
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
        if resolution.status != Status.MATCH or best is None:
            return self._unresolved(row, typed, resolution, _nik_problem(typed), score)
        person = self.registry.people.get(best.id)
        if person is None:  # the index and the registry disagree: never guess
            return self._unresolved(row, typed, resolution, _nik_problem(typed), score)
        pid = person.person_id
        digits = typed.digits
        if digits != person.nik:  # only then does what is wrong with the NIK matter
            problem = _nik_problem(typed)
            if problem or digits is None:
                reasons.append(Found.says(Reason.NIK_INVALID, says(gettext_noop("%(problem)s; NIK penduduk ini berbeda"),
                                                                   problem=problem or says(MESSAGES[Reason.NIK_INVALID]))))
            else:
                reasons.append(Found.says(Reason.NIK_MISMATCH, says(MESSAGES[Reason.NIK_MISMATCH])))
        if person.status == "deceased":
            reasons.append(Found.says(Reason.DECEASED, says(MESSAGES[Reason.DECEASED]), person_id=pid))
        elif person.status == "moved":
            reasons.append(Found.says(Reason.MOVED, says(MESSAGES[Reason.MOVED]), person_id=pid))
        earlier, maybe = self._seen_person(row, pid, digits)
        if earlier is not None:
            reasons.append(Found.says(Reason.DUPLICATE_IN_BATCH, says(gettext_noop("orang yang sama sudah ada di baris %(row)s"),
                                                                      row=earlier), person_id=pid))
        elif maybe is not None:
            reasons.append(Found.says(Reason.POSSIBLE_DUPLICATE,
                                      says(gettext_noop("mungkin orang yang sama dengan baris %(row)s"), row=maybe), person_id=pid))
        family = self.registry.family_of(pid)
        reasons += self._covered(person, family)
        if self.already_proposed is not None:
            note = self.already_proposed(person, family)
            if note:
                reasons.append(Found.says(Reason.ALREADY_PROPOSED, note, scheme=self.scheme, person_id=pid))
        return _outcome(reasons, pid, score, self.scheme)

    # --- what a row leaves for the rows after it (duplicates in the batch) ------------------------
    def remember(self, row: int, typed: Typed, resolution: Resolution) -> None:
        """What ``decide`` of this row leaves for the rows after it, without deciding it: a
        screening split in two (``aid.batch``) brings the second part's screener to where the
        first part leaves off."""
        best = resolution.best
        person = self.registry.people.get(best.id) if resolution.status == Status.MATCH and best is not None else None
        if person is None:
            self._seen_unresolved(row, typed.digits, _nik_problem(typed), resolution)
        else:
            self._seen_person(row, person.person_id, typed.digits)

    def _seen_person(self, row: int, pid: str, digits: str | None) -> tuple[int | None, int | None]:
        """A row resolved to ``pid``: (the earlier row of this person, else the earlier row
        that may be them); the first row of a person is remembered, and its NIK."""
        earlier = self.seen_people.get(pid)
        if earlier is not None:
            return earlier, None
        self.seen_people[pid] = row
        if digits:
            self.seen_niks.setdefault(digits, row)
        return None, self.maybe_seen.get(pid)

    def _seen_unresolved(self, row: int, digits: str | None, problem: Text, resolution: Resolution) -> int | None:
        """A row not resolved to a person: the earlier row with its (valid) NIK; the first
        is remembered, and this row as a possible earlier row of each candidate that may be it."""
        earlier = self.seen_niks.get(digits) if digits and not problem else None
        if earlier is None and digits and not problem:
            self.seen_niks[digits] = row
        if resolution.status == Status.POSSIBLE:
            for c in resolution.candidates:
                if c.probability >= 0.5:
                    self.maybe_seen.setdefault(c.id, row)
        return earlier

    def _covered(self, person: RegistryPerson, family: list[str]) -> list[Found]:
        out: list[Found] = []
        pid = person.person_id
        by_person = self.holdings.by_person
        held = [(m, h) for m in family for h in by_person.get(m, ())]
        if not held:
            return out  # most families hold nothing: no rule can apply
        schemes = {h.scheme for _, h in held}
        for rule in self.rules:
            if rule.held not in schemes:
                continue
            certain = [(m, h) for m, h in held if (rule.unit == "family" or m == pid) and _matches(rule, h)]
            hit = next(((m, h) for m, h in certain if h.certain), None)
            if hit is not None:
                m, h = hit
                if rule.component:
                    text = says(gettext_noop("%(who)s sudah menerima %(scheme)s komponen %(component)s"),
                                who=_who(m, pid), scheme=h.scheme, component=h.component)
                else:
                    text = says(gettext_noop("%(who)s sudah menerima %(scheme)s"), who=_who(m, pid), scheme=h.scheme)
                out.append(Found.says(Reason.COVERED, text, scheme=h.scheme, person_id=m))
            elif certain:
                m, h = certain[0]
                out.append(Found.says(Reason.POSSIBLY_COVERED,
                                      says(gettext_noop("%(who)s mungkin menerima %(scheme)s (data penerima belum terpadankan)"),
                                           who=_who(m, pid), scheme=h.scheme), scheme=h.scheme, person_id=m))
        cap = self.definition.max_per_family
        if cap:
            holders = {m for m, h in held if h.scheme == self.scheme and h.certain}
            if len(holders) >= cap and pid not in holders:
                out.append(Found.says(Reason.COVERED, says(gettext_noop("sudah %(count)s anggota keluarga menerima %(scheme)s "
                                                                        "(batas %(cap)s per KK)"),
                                                           count=len(holders), scheme=self.scheme, cap=cap), scheme=self.scheme))
        return out

    def _unresolved(self, row: int, typed: Typed, resolution: Resolution, problem: Text, score: float) -> Outcome:
        reasons: list[Found] = []
        if problem:
            reasons.append(Found.says(Reason.NIK_INVALID, problem))
        earlier = self._seen_unresolved(row, typed.digits, problem, resolution)
        if earlier is not None:
            reasons.append(Found.says(Reason.DUPLICATE_IN_BATCH, says(gettext_noop("NIK yang sama sudah ada di baris %(row)s"), row=earlier)))
        if resolution.ambiguous:
            ids = ", ".join(c.id for c in resolution.candidates[:3])
            reasons.append(Found.says(Reason.AMBIGUOUS, says(gettext_noop("lebih dari satu penduduk sama cocoknya (%(ids)s)"), ids=ids)))
        elif resolution.status == Status.POSSIBLE and resolution.best is not None:
            reasons.append(Found.says(Reason.NOT_IN_REGISTRY,
                                      says(gettext_noop("tidak ditemukan dengan pasti; paling mirip %(person)s (skor %(score)s), "
                                                        "perlu diperiksa"),
                                           person=resolution.best.id, score=f"{resolution.best.probability:.2f}")))
        else:
            reasons.append(Found.says(Reason.NOT_IN_REGISTRY, says(MESSAGES[Reason.NOT_IN_REGISTRY])))
        return _outcome(reasons, "", score, self.scheme)


def _outcome(reasons: list[Found], person_id: str, score: float, scheme: str) -> Outcome:
    codes = {r.code for r in reasons}
    if codes & REJECTING:
        decision = Decision.REJECT
    elif codes:
        decision = Decision.REVIEW
    else:
        decision = Decision.ACCEPT
    return Outcome(decision, reasons, person_id, score, explain(decision, reasons, person_id, scheme), scheme)


def _who(member: str, person_id: str) -> Text:
    return says(gettext_noop("orang ini")) if member == person_id else says(gettext_noop("anggota keluarganya (%(person)s)"), person=member)


def _nik_problem(typed: Typed) -> Text:
    template, values = nik_problem_says(typed.nik, typed.sex, typed.birth)
    return says(template, **values) if template else ""


_REASON_ORDER = {code: i for i, code in enumerate(Reason)}  # rejecting reasons first, then in this order
_SENTENCE = {Decision.REJECT: gettext_noop("Ditolak untuk %(scheme)s: %(body)s."),
             Decision.REVIEW: gettext_noop("Perlu diperiksa untuk %(scheme)s: %(body)s.")}
_ACCEPTED = gettext_noop("Diterima untuk %(scheme)s: cocok dengan penduduk %(person)s, NIK benar, dan tidak ada bantuan yang tumpang tindih.")
_RESOLVED = gettext_noop("cocok dengan penduduk %(person)s")


def explanation_text(decision: Decision, reasons: list[Found], person_id: str, scheme: str) -> Text:
    """One sentence: the decision, who the row is, and why (as a Text)."""
    if decision == Decision.ACCEPT:
        return says(_ACCEPTED, scheme=scheme, person=person_id)
    ordered = sorted(reasons, key=lambda r: (r.code not in REJECTING, _REASON_ORDER[r.code]))
    body: list[Text] = [says(_RESOLVED, person=person_id)] if person_id else []
    body += [r.wording for r in ordered]
    return says(_SENTENCE[decision], scheme=scheme, body=body)


def explain(decision: Decision, reasons: list[Found], person_id: str, scheme: str) -> str:
    """The sentence in Bahasa Indonesia (the contract's explanation): ``render`` of
    ``explanation_text``, built from the reasons' ready messages because a file of a hundred
    thousand rows asks for it on every row (tests check the two agree on every row)."""
    if decision == Decision.ACCEPT:
        return _ACCEPTED % {"scheme": scheme, "person": person_id}
    ordered = sorted(reasons, key=lambda r: (r.code not in REJECTING, _REASON_ORDER[r.code]))
    who = [_RESOLVED % {"person": person_id}] if person_id else []
    return _SENTENCE[decision] % {"scheme": scheme, "body": "; ".join([*who, *(r.message for r in ordered)])}


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
