"""Dinas Sosial edits the overlap matrix. A change is first tried (dry run: which current
proposals would change decision, per village), then applied with a reason; the applied change
re-decides exactly the proposals its dry run listed, and both are kept in the history."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pendopo.aid.models import (
    OverlapRule,
    OverrideStatus,
    Proposal,
    ProposalEvent,
    RuleChange,
    Scheme,
    Unit,
)
from pendopo.aid.review import REVIEW_ROLES, _reason
from pendopo.aid.rules import Catalogue, Rule
from pendopo.aid.screening import MESSAGES, Decision, Found, Reason, Screener, Text, _outcome, says
from pendopo.aid.services import ScreenSession, _unit_key
from pendopo.core.audit import audit_write
from pendopo.core.errors import PermissionDenied

COVER = {Reason.COVERED, Reason.POSSIBLY_COVERED}


@dataclass(frozen=True)
class RuleSpec:
    action: str  # add | remove
    proposed: str
    held: str
    unit: str
    component: str = ""

    def rule(self) -> Rule:
        return Rule(self.proposed, self.held, self.unit, self.component)


@dataclass
class Change:
    proposal: int
    village: str
    before: str
    after: str
    reasons: list[str]
    text: Text  # the new explanation (``Proposal.explain`` renders the Indonesian sentence)


@dataclass
class Effect:
    spec: RuleSpec
    considered: int = 0
    changes: list[Change] = field(default_factory=list)
    per_village: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    holders: int = 0  # holders of the held scheme whose family (or self) has a current proposal for the proposed scheme

    def summary(self) -> dict[str, Any]:
        return {"considered": self.considered, "changed": len(self.changes), "holders": self.holders,
                "per_village": {v: dict(c) for v, c in sorted(self.per_village.items())}}


def _check(actor: Any, spec: RuleSpec) -> tuple[Scheme, Scheme]:
    if getattr(actor, "role", None) not in REVIEW_ROLES:
        raise PermissionDenied("Hanya Dinas Sosial yang boleh mengubah matriks. / Only Dinas Sosial may change the matrix.")
    if spec.action not in {"add", "remove"}:
        raise ValidationError({"action": "Pilih tambah atau hapus. / Choose add or remove."})
    if spec.unit not in Unit.values:
        raise ValidationError({"unit": "Pilih perorangan atau keluarga. / Choose person or family."})
    proposed = Scheme.objects.filter(code=spec.proposed).first()
    held = Scheme.objects.filter(code=spec.held).first()
    if proposed is None:
        raise ValidationError({"proposed": f"Skema '{spec.proposed}' tidak dikenal. / Unknown scheme."})
    if held is None:
        raise ValidationError({"held": f"Skema '{spec.held}' tidak dikenal. / Unknown scheme."})
    exists = OverlapRule.objects.filter(proposed=proposed, held=held, unit=spec.unit, component=spec.component).exists()
    if spec.action == "add" and exists:
        raise ValidationError({"held": "Aturan ini sudah ada. / This rule exists already."})
    if spec.action == "remove" and not exists:
        raise ValidationError({"held": "Aturan ini tidak ada. / No such rule."})
    return proposed, held


def _catalogue_with(cat: Catalogue, spec: RuleSpec) -> Catalogue:
    rules = tuple(r for r in cat.rules if r != spec.rule())
    return Catalogue(cat.schemes, (*rules, spec.rule()) if spec.action == "add" else rules)


def _affected(scheme: Scheme) -> list[Proposal]:
    """Current proposals an automatic decision still holds for (officers' decisions stand)."""
    overridden = Proposal.objects.filter(overrides__status=OverrideStatus.APPROVED).values("pk")
    return list(Proposal.objects.filter(scheme=scheme, period=scheme.period, resident__isnull=False, reviewed_by__isnull=True,
                                        decision__in=[Decision.ACCEPT, Decision.REJECT])
                .exclude(pk__in=overridden).select_related("resident"))


def rule_dry_run(*, actor: Any, spec: RuleSpec) -> Effect:
    """What the change would do to the current period's proposals, without changing anything."""
    scheme, _held = _check(actor, spec)
    effect = Effect(spec)
    proposals = _affected(scheme)
    effect.considered = len(proposals)
    if not proposals:
        return effect
    session = ScreenSession(scheme)
    ids = [p.resident.person_id for p in proposals if p.resident is not None]
    for i in range(0, len(ids), 5000):
        session._load(ids[i:i + 5000])
    old = session.screener
    new = Screener(_catalogue_with(old.catalogue, spec), scheme.code, session.registry, session.holdings)
    holders: set[str] = set()
    for p in proposals:
        assert p.resident is not None
        person = session.registry.people.get(p.resident.person_id)
        if person is None:
            continue
        family = session.registry.family_of(person.person_id)
        for m in family if spec.unit == Unit.FAMILY else [person.person_id]:
            if any(h.scheme == spec.held for h in session.holdings.of(m)):
                holders.add(m)
        before = [f for f in old._covered(person, family) if f.code in COVER]
        after = [f for f in new._covered(person, family) if f.code in COVER]
        if {(f.code, f.scheme) for f in before} == {(f.code, f.scheme) for f in after}:
            continue
        kept = [Found.says(Reason(c), says(MESSAGES[Reason(c)])) for c in p.reasons if Reason(c) not in COVER]
        outcome = _outcome([*kept, *after], person.person_id, p.score, scheme.code)
        if outcome.decision.value == p.decision and [r.code.value for r in outcome.reasons] == p.reasons:
            continue
        effect.changes.append(Change(p.pk, p.village_id or "", p.decision, outcome.decision.value,
                                     [r.code.value for r in outcome.reasons], outcome.text))
        effect.per_village[p.village_id or ""][f"{p.decision}→{outcome.decision.value}"] += 1
    effect.holders = len(holders)
    return effect


@transaction.atomic
def rule_change(*, actor: Any, spec: RuleSpec, reason: str) -> RuleChange:
    """Apply the change and re-decide what its dry run lists. A proposal that would become
    accepted while another active proposal holds its person or family stays rejected."""
    reason = _reason(reason)
    effect = rule_dry_run(actor=actor, spec=spec)
    proposed = Scheme.objects.get(code=spec.proposed)
    held = Scheme.objects.get(code=spec.held)
    if spec.action == "add":
        OverlapRule.objects.create(proposed=proposed, held=held, unit=spec.unit, component=spec.component)
    else:
        OverlapRule.objects.filter(proposed=proposed, held=held, unit=spec.unit, component=spec.component).delete()
    blocked = 0
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=[c.proposal for c in effect.changes]).select_related("resident", "family")}
    for c in effect.changes:
        p = proposals[c.proposal]
        before = p.decision
        p.decision, p.reasons, p.auto_decision = c.after, c.reasons, c.after
        p.explain(c.text)
        if c.after == Decision.REJECT:
            p.unit_key = None
        elif p.resident is not None:
            p.unit_key = _unit_key(proposed, p.resident.person_id, p.family.kk_number if p.family else "")
        try:
            with transaction.atomic():
                p.save()
        except IntegrityError:
            blocked += 1
            continue
        ProposalEvent.objects.create(proposal=p, actor=actor, action="rule_change", reason=reason, before=before, after=p.decision)
    summary = {**effect.summary(), "blocked": blocked}
    change = RuleChange.objects.create(actor=actor, action=spec.action, proposed=spec.proposed, held=spec.held, unit=spec.unit,
                                       component=spec.component, reason=reason, effect=summary)
    audit_write(actor=actor, action="aid.rule.change", obj=change,
                changes={"action": spec.action, "rule": f"{spec.proposed}✕{spec.held} ({spec.unit}{' ' + spec.component if spec.component else ''})",
                         "reason": reason[:500], "changed": len(effect.changes), "blocked": blocked})
    return change
