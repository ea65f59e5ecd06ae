"""Every write of the aid app: screening (files, one person), roll imports, proposals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_noop

from pendopo.aid import linkage as adapter
from pendopo.aid.batch import ScreenJob, write_decisions
from pendopo.aid.models import Holding as HoldingRow
from pendopo.aid.models import (
    HoldingStatus,
    Proposal,
    ProposalSource,
    RollCandidate,
    RollImport,
    RollRow,
    RollRowStatus,
    Scheme,
    ScreeningUpload,
    Unit,
)
from pendopo.aid.rules import Catalogue, default_catalogue, load_rules, normalise_code
from pendopo.aid.screen_cli import SCREEN_MEMORY, FileResult, check_exists, screen_files
from pendopo.aid.screening import (
    Decision,
    Found,
    Holdings,
    Outcome,
    Reason,
    Registry,
    RegistryPerson,
    Screener,
    Text,
    Typed,
    _outcome,
    says,
)
from pendopo.core.audit import audit_write
from pendopo.core.errors import ApplicationError, PermissionDenied
from pendopo.core.models import Region
from pendopo.core.roles import Role
from pendopo.core.scopes import scope_for
from pendopo.linkage.index import Status
from pendopo.linkage.progress import progress_bar
from pendopo.linkage.records import PersonRecord, prepare
from pendopo.population.models import Resident

SCREENING_ROLES = {Role.ADMIN, Role.DINSOS, Role.KECAMATAN_OFFICER, Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR}


def screen_file(*, intake: str, scheme: str, registry: str | None, rolls: str | None, output: str, rules: str | None = None,
                memory_limit: str = SCREEN_MEMORY, progress: bool = False) -> FileResult:
    """``pendopo screen``: against files (``registry`` and ``rolls``: ``screen_cli.screen_files``,
    which needs no Django) or the database."""
    if registry is not None:
        assert rolls is not None
        return screen_files(intake=intake, scheme=scheme, registry=registry, rolls=rolls, output=output, rules=rules,
                            memory_limit=memory_limit, progress=progress)
    check_exists(intake=intake)
    cat: Catalogue = load_rules(rules) if rules else adapter.catalogue()
    tick, done = progress_bar(progress)
    try:
        with ScreenJob(cat, scheme, memory_limit=memory_limit, progress=tick) as job:
            job.intake_file(intake)
            job.registry_rows(adapter.registry_rows())
            job.holdings(adapter.holdings())
            outcomes = job.run(already_proposed=_already_proposed_checker(job.scheme))
    finally:
        done()
    write_decisions(output, outcomes)
    # The registry's personal data was read (on files the database is not touched at all).
    audit_write(actor=None, action="aid.screen_file", object_type="screening", object_repr=Path(intake).name[:200],
                personal_data=True, changes={"scheme": normalise_code(scheme), "rows": len(outcomes), "mode": "database"})
    return FileResult(len(outcomes), Counter(o.decision.value for o in outcomes))


def _already_proposed_checker(scheme_code: str) -> Callable[[RegistryPerson, list[str]], Text | None]:
    scheme = Scheme.objects.filter(code=scheme_code).first()
    if scheme is None:
        return lambda person, family: None
    keys = set(Proposal.objects.filter(scheme=scheme, period=scheme.period, unit_key__isnull=False).values_list("unit_key", flat=True))

    def check(person: RegistryPerson, family: list[str]) -> str | None:
        key = _unit_key(scheme, person.person_id, person.kk)
        return already_proposed_text(scheme) if key in keys else None

    return check


def already_proposed_text(scheme: Scheme) -> Text:
    what = says(gettext_noop("keluarga ini")) if scheme.unit == Unit.FAMILY else says(gettext_noop("orang ini"))
    return says(gettext_noop("%(what)s sudah diusulkan untuk %(scheme)s periode %(period)s"), what=what, scheme=scheme.code,
                period=scheme.period)


def _unit_key(scheme: Scheme, person_id: str, kk: str) -> str:
    return f"K{kk}" if scheme.unit == Unit.FAMILY and kk else f"P{person_id}"


# --- one person (API, form, upload rows) ------------------------------------------------------

@dataclass
class OneResult:
    outcome: Outcome
    proposal: Proposal | None
    resident: Resident | None = None
    members: list[tuple[Resident, list[str]]] | None = None  # the family now, with each member's schemes


class ScreenSession:
    """Screens rows one after another against the database (the form, the API, a village's
    upload): the online index resolves each row, the registry facts and holdings of the
    candidates and their families are read as needed, and one ``Screener`` remembers earlier
    rows so a repeated person is a ``DUPLICATE_IN_BATCH``."""

    def __init__(self, scheme: Scheme, versions: tuple[int, int] | None = None) -> None:
        self.scheme = scheme
        registry_version, rules_version = versions or adapter.versions()
        self.index = adapter.OnlineIndex.get(registry_version)
        self.registry = Registry()
        self.holdings = Holdings()
        self.residents: dict[str, Resident] = {}
        self.screener = Screener(adapter.CachedCatalogue.get(rules_version), scheme.code, self.registry, self.holdings)
        self.row = 0

    def _load(self, person_ids: list[str]) -> None:
        """Registry facts and holdings of these people and their whole families (two queries)."""
        wanted = [p for p in person_ids if p not in self.residents]
        if not wanted:
            return
        new = {r.person_id: (r, kk) for r, kk in adapter.residents_with_families(wanted) if r.person_id not in self.residents}
        for r, kk in new.values():
            self.registry.add(RegistryPerson(r.person_id, r.nik, kk, r.status, r.name))
        for h in adapter.holdings_of([r.pk for r, _kk in new.values()]):
            self.holdings.add(h)
        self.residents.update((pid, r) for pid, (r, _kk) in new.items())

    def screen(self, data: dict[str, Any], row: int | None = None) -> tuple[Outcome, list[dict[str, Any]]]:
        """The decision on one typed row (``row`` names it in duplicate messages), and the
        engine's best candidates with their field-by-field evidence (for the review queue)."""
        self.row = row if row is not None else self.row + 1
        village = str(data.get("village_code") or "")
        rec = PersonRecord("q", data.get("nik"), data.get("kk"), data.get("name"), data.get("sex"), data.get("birth_place"),
                           data.get("birth_date"), data.get("address"), village or None)
        f = prepare(rec)
        resolution = self.index.resolve(f)
        self._load([c.id for c in resolution.candidates])
        outcome = self.screener.decide(self.row, Typed.of(data.get("nik"), f.sex, f.birth), resolution)
        return outcome, [{"id": c.id, "score": round(c.probability, 4), "evidence": c.evidence} for c in resolution.candidates[:3]]

    def person(self, outcome: Outcome) -> tuple[Resident | None, RegistryPerson | None]:
        if not outcome.person_id:
            return None, None
        return self.residents.get(outcome.person_id), self.registry.people.get(outcome.person_id)

    def family(self, person: RegistryPerson) -> list[tuple[Resident, list[str]]]:
        out = []
        for pid in self.registry.family_of(person.person_id):
            r = self.residents.get(pid)
            if r is not None:
                out.append((r, sorted({h.scheme for h in self.holdings.of(pid)})))
        return out


def _screening_scheme(actor: Any, data: dict[str, Any], versions: tuple[int, int]) -> tuple[Scheme, str]:
    role = getattr(actor, "role", None)
    if role not in SCREENING_ROLES:
        raise PermissionDenied("Akun ini tidak boleh menyaring usulan bantuan. / This account may not screen aid proposals.")
    code = normalise_code(data.get("scheme"))
    scheme = adapter.CachedCatalogue.scheme(code, versions[1])
    if scheme is None:
        raise ApplicationError(f"Skema '{data.get('scheme') or ''}' tidak dikenal. / Unknown scheme.")
    from pendopo.linkage.address import normalise_village_code

    raw = str(data.get("village_code") or "")
    village = normalise_village_code(raw) or raw
    scope = scope_for(actor)
    if not scope.everything and not scope.covers_region(village):
        raise PermissionDenied("Desa ini di luar kewenangan akun Anda. / This village is outside your account's scope.")
    return scheme, code


def screening_one(*, actor: Any, data: dict[str, Any], record: bool = False, source: str = ProposalSource.API,
                  reporter: tuple[str, str] | None = None) -> OneResult:
    """Screen one person (the API, the village form, a resident's report). With ``record`` the
    person is also proposed for the scheme's current period; a second proposal of the same
    person (or family, for family schemes) is rejected with ALREADY_PROPOSED, also under
    concurrency."""
    versions = adapter.versions()
    if source == ProposalSource.PUBLIC:
        code = normalise_code(data.get("scheme"))
        found = adapter.CachedCatalogue.scheme(code, versions[1])
        if found is None:
            raise ApplicationError(f"Skema '{data.get('scheme') or ''}' tidak dikenal. / Unknown scheme.")
        scheme = found
    else:
        scheme, code = _screening_scheme(actor, data, versions)
    session = ScreenSession(scheme, versions)
    outcome, candidates = session.screen(data)
    resident, person = session.person(outcome)
    outcome = _check_already_proposed(outcome, scheme, person)
    proposal = None
    if record:
        proposal = _record(actor, scheme, resident, person, outcome, data, source, candidates=candidates, reporter=reporter)
        if proposal is None:  # lost the race: another proposal holds the unit key
            outcome = _with_already_proposed(outcome, scheme, code)
    audit_write(actor=actor if getattr(actor, "pk", None) else None, action="aid.screen",
                object_type="resident" if resident else "screening",
                object_id=str(resident.pk) if resident else "", personal_data=True,
                changes={"scheme": code, "decision": outcome.decision.value, "reasons": outcome.codes, "record": record,
                         "source": source, "proposal": proposal.pk if proposal else None})
    return OneResult(outcome, proposal, resident, session.family(person) if person else None)


def _check_already_proposed(outcome: Outcome, scheme: Scheme, person: RegistryPerson | None) -> Outcome:
    if person is None:
        return outcome
    key = _unit_key(scheme, person.person_id, person.kk)
    with connection.cursor() as cur:  # plain SQL: run on every API request (the ORM's exists() cost 1 ms to build)
        cur.execute(f"SELECT 1 FROM {Proposal._meta.db_table} WHERE scheme_id = %s AND period = %s AND unit_key = %s LIMIT 1",  # noqa: S608
                    [scheme.pk, scheme.period, key])
        taken = cur.fetchone() is not None
    if taken:
        return _with_already_proposed(outcome, scheme, scheme.code)
    return outcome


def _with_already_proposed(outcome: Outcome, scheme: Scheme, code: str) -> Outcome:
    if Reason.ALREADY_PROPOSED in {r.code for r in outcome.reasons}:
        return outcome
    reasons = [*outcome.reasons, Found.says(Reason.ALREADY_PROPOSED, already_proposed_text(scheme), scheme=code,
                                            person_id=outcome.person_id)]
    return _outcome(reasons, outcome.person_id, outcome.score, code)


def _record(actor: Any, scheme: Scheme, resident: Resident | None, person: RegistryPerson | None, outcome: Outcome,
            data: dict[str, Any], source: str, *, candidates: list[dict[str, Any]] | None = None,
            reporter: tuple[str, str] | None = None, upload: ScreeningUpload | None = None, line: int | None = None,
            ) -> Proposal | None:
    """Keep the proposal and its decision. A rejected proposal holds no unit key, so it never
    blocks the person being proposed again once the reason is gone."""
    active = outcome.decision != Decision.REJECT and resident is not None and person is not None
    key = _unit_key(scheme, person.person_id, person.kk) if active and person is not None else None
    family = None
    if person is not None and person.kk:
        from pendopo.population.models import Family

        family = Family.objects.filter(kk_number=person.kk).first()
    village = resident.village_id if resident else None
    if village is None:
        from pendopo.linkage.address import normalise_village_code

        code = normalise_village_code(str(data.get("village_code") or ""))
        village = code if code and Region.objects.filter(code=code).exists() else None
    try:
        with transaction.atomic():
            p = Proposal.objects.create(
                scheme=scheme, period=scheme.period, resident=resident, family=family, unit_key=key,
                village_id=village,
                typed={k: (None if v is None else str(v)) for k, v in data.items() if k not in {"record", "scheme"}},
                decision=outcome.decision.value, auto_decision=outcome.decision.value,
                reasons=[r.code.value for r in outcome.reasons], score=outcome.score,
                explanation=outcome.explanation, explanation_text=outcome.text, source=source, created_by=actor if getattr(actor, "pk", None) else None,
                candidates=candidates or [], upload=upload, upload_line=line,
                reporter_name=reporter[0] if reporter else "", reporter_phone=reporter[1] if reporter else "",
            )
            audit_write(actor=actor if getattr(actor, "pk", None) else None, action="aid.proposal.create", obj=p,
                        personal_data=True, changes={"scheme": scheme.code, "period": scheme.period, "decision": p.decision,
                                                     "source": source})
            return p
    except IntegrityError:
        return None


# --- rolls ------------------------------------------------------------------------------------

@dataclass
class RollResult:
    record: RollImport
    problems: list[tuple[int, str, str]]


def roll_import(*, actor: Any, path: str, progress: Callable[[str, int], None] | None = None,
                memory_limit: str = "1GB") -> RollResult:
    """Resolve every roll row to a registry person: confident rows become holdings, the others
    wait in the reconciliation queue; rows naming an unknown scheme are held back."""
    schemes = {s.code: s for s in Scheme.objects.all()}
    cat = adapter.catalogue()
    any_scheme = next(iter(cat.schemes), "BLT-DD")
    with ScreenJob(cat if cat.schemes else default_catalogue(), any_scheme, memory_limit=memory_limit, progress=progress) as job:
        job.rolls_file(path)
        job.registry_rows(adapter.registry_rows())
        links, rows = job.resolve_rolls()
    named = {link.best for link in links.values() if link.best} | {pid for link in links.values() for pid, _ in link.candidates}
    resident_of = {pid: r.pk for pid, r in adapter.residents_for(named).items()}
    problems: list[tuple[int, str, str]] = []
    with transaction.atomic():
        record = RollImport.objects.create(file_name=Path(path).name[:200], created_by=actor if getattr(actor, "pk", None) else None,
                                           rows=len(rows))
        existing = set(HoldingRow.objects.filter(status__in=[HoldingStatus.ACTIVE, HoldingStatus.EXIT_FLAGGED]).values_list("resident_id", "scheme_id", "component"))
        new: list[HoldingRow] = []
        queue: list[RollRow] = []
        candidates: list[RollCandidate] = []
        for line, scheme_raw, component, data in rows:
            code = normalise_code(scheme_raw)
            scheme = schemes.get(code)
            if scheme is None:
                problems.append((line, "scheme", f"skema '{scheme_raw or ''}' tidak dikenal" if scheme_raw else "skema kosong"))
                continue
            link = links.get(line)
            comp = str(component or "").strip()[:30]
            if link is not None and link.status == Status.MATCH and link.best in resident_of:
                key = (resident_of[link.best], scheme.pk, comp)
                if key not in existing:
                    existing.add(key)
                    new.append(HoldingRow(resident_id=key[0], scheme=scheme, component=comp, roll_import=record))
                record.resolved += 1
                continue
            status = RollRowStatus.UNRESOLVED
            if link is not None and link.status == Status.POSSIBLE:
                status = RollRowStatus.AMBIGUOUS if link.ambiguous else RollRowStatus.POSSIBLE
            row = RollRow(roll_import=record, line=line, scheme=scheme, component=comp, data=data, status=status,
                          score=round(link.score, 4) if link else 0)
            queue.append(row)
            candidates += [RollCandidate(roll_row=row, resident_id=resident_of[pid], score=round(p, 4))
                           for pid, p in (link.candidates if link else ()) if pid in resident_of]
        HoldingRow.objects.bulk_create(new, batch_size=5000)
        RollRow.objects.bulk_create(queue, batch_size=5000)
        if queue and queue[0].pk is None:  # no RETURNING: fetch the ids of the rows just written
            ids = dict(RollRow.objects.filter(roll_import=record).values_list("line", "pk"))
            for q in queue:
                q.pk = ids[q.line]
        for c in candidates:
            c.roll_row_id = c.roll_row.pk
        RollCandidate.objects.bulk_create(candidates, batch_size=5000)
        record.queued = len(queue)
        record.held_back = len(problems)
        record.save()
        audit_write(actor=actor if getattr(actor, "pk", None) else None, action="aid.roll_import", obj=record, personal_data=True,
                    changes={"rows": record.rows, "resolved": record.resolved, "queued": record.queued, "held_back": record.held_back,
                             "holdings_created": len(new)})
    return RollResult(record, problems)


# --- registry events ----------------------------------------------------------------------------

_LEFT = {"deceased": "penerima meninggal dunia", "moved": "penerima pindah keluar kabupaten"}


def holdings_flag_exit(*, actor: Any, residents: dict[int, str], on: Any) -> int:
    """Flag the active holdings of residents who died or moved out of the regency for exit.
    They still count in screening until Dinas Sosial ends them (the payment has not stopped)."""
    flagged = 0
    for h in HoldingRow.objects.filter(resident_id__in=list(residents), status=HoldingStatus.ACTIVE).select_related("scheme"):
        h.status = HoldingStatus.EXIT_FLAGGED
        h.exit_reason = f"{_LEFT.get(residents[h.resident_id], residents[h.resident_id])} ({on})"[:200]
        h.save(update_fields=["status", "exit_reason"])
        audit_write(actor=actor, action="aid.holding.flag_exit", obj=h, personal_data=True,
                    changes={"scheme": h.scheme.code, "reason": h.exit_reason})
        flagged += 1
    return flagged


def on_residents_left(sender: object, *, residents: dict[int, str], on: Any, actor: Any = None, **_: Any) -> None:
    holdings_flag_exit(actor=actor, residents=residents, on=on)
