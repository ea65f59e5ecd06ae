"""The one adapter between ORM rows and the identity engine (ARCHITECTURE.md): registry rows
and holdings out of the database, and the in-process online index each worker keeps."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator

from django.db import connection
from django.db.models import Max, Q

from pendopo.aid.models import Holding as HoldingRow
from pendopo.aid.models import (
    HoldingStatus,
    OverlapRule,
    RollCandidate,
    RollRow,
    RollRowStatus,
    Scheme,
)
from pendopo.aid.rules import Catalogue, Rule
from pendopo.aid.rules import Scheme as SchemeDef
from pendopo.aid.screening import Holding
from pendopo.core import rows
from pendopo.linkage.index import ReferenceIndex
from pendopo.linkage.records import PersonRecord
from pendopo.population.models import Family, FamilyMembership, RegistryState, Resident


def catalogue() -> Catalogue:
    """The catalogue and matrix as Dinas Sosial keeps them in the database."""
    schemes = {s.code: SchemeDef(s.code, s.name, s.unit, s.level, s.max_per_family) for s in Scheme.objects.filter(active=True)}
    rules = tuple(Rule(r.proposed.code, r.held.code, r.unit, r.component)
                  for r in OverlapRule.objects.select_related("proposed", "held"))
    return Catalogue(schemes, rules)


def versions() -> tuple[int, int]:
    """(registry version, matrix version) in one round trip: what the online caches key on."""
    from django.db import connection

    from pendopo.aid.models import RuleChange

    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT MAX(version) FROM {RegistryState._meta.db_table}), "  # noqa: S608 - our own table names
                    f"(SELECT MAX(id) FROM {RuleChange._meta.db_table})")
        registry, rules = cur.fetchone()
    return int(registry or 0), int(rules or 0)


class CachedCatalogue:
    """The catalogue, read again only when the matrix changes (every change is a ``RuleChange``)."""

    _lock = threading.Lock()
    _value: Catalogue | None = None
    _schemes: dict[str, Scheme] = {}
    _version: int = -1

    @classmethod
    def get(cls, version: int) -> Catalogue:
        if cls._value is None or cls._version != version:
            with cls._lock:
                cls._value, cls._version = catalogue(), version
                cls._schemes = {s.code: s for s in Scheme.objects.filter(active=True)}
        assert cls._value is not None
        return cls._value

    @classmethod
    def scheme(cls, code: str, version: int) -> Scheme | None:
        """The active scheme row (its period, unit), from the same cache."""
        cls.get(version)
        return cls._schemes.get(code)

    @classmethod
    def reset(cls) -> None:
        cls._value, cls._schemes, cls._version = None, {}, -1


def _address(dusun: str, rt: str, rw: str) -> str:
    parts = [f"Dusun {dusun}" if dusun else "", f"RT {rt}" if rt else "", f"RW {rw}" if rw else ""]
    return " ".join(p for p in parts if p)


def current_kk() -> dict[int, str]:
    return dict(FamilyMembership.objects.filter(valid_to__isnull=True).values_list("resident_id", "family__kk_number"))


def registry_rows(chunk: int = 20_000) -> Iterator[tuple[object, ...]]:
    """(person_id, status, nik, kk, name, sex, birth_place, birth_date, address, village_code)
    for every resident, streamed."""
    kk = current_kk()
    fields = ("pk", "external_id", "status", "nik", "name", "sex", "birth_place", "birth_date", "dusun", "rt", "rw", "village_id")
    for (pk, ext, status, nik, name, sex, place, birth, dusun, rt, rw, village) in \
            Resident.objects.order_by("pk").values_list(*fields).iterator(chunk_size=chunk):
        yield (ext or str(pk), status, nik, kk.get(pk, ""), name, sex, place, birth.isoformat(), _address(dusun, rt, rw), village)


def person_records() -> Iterator[PersonRecord]:
    for pid, _status, nik, kk, name, sex, place, birth, address, village in registry_rows():
        yield PersonRecord(str(pid), nik, kk, name, sex, place, birth, address, village)


def residents_for(person_ids: Iterable[str]) -> dict[str, Resident]:
    """Residents by the ``person_id`` screening reports (the extract's id, or the registry's own)."""
    ids = set(person_ids)
    if not ids:
        return {}
    pks = [int(p) for p in ids if p.isdigit()]
    q = Q(external_id__in=ids) | Q(pk__in=pks, external_id__isnull=True) if pks else Q(external_id__in=ids)
    return {r.person_id: r for r in Resident.objects.filter(q) if r.person_id in ids}


def residents_with_families(person_ids: Iterable[str]) -> list[tuple[Resident, str]]:
    """These people (by the ``person_id`` screening reports) and everyone on their current KKs,
    each with their current KK number ("" without one): one plain statement, as the API screens
    one person per request and building three ORM queries cost more than running them."""
    ids = sorted(set(person_ids))
    if not ids:
        return []
    pks = [int(p) for p in ids if p.isdigit()]
    r, m, f = Resident._meta.db_table, FamilyMembership._meta.db_table, Family._meta.db_table
    by_pk = f" OR (id IN ({','.join(['%s'] * len(pks))}) AND external_id IS NULL)" if pks else ""
    sql = f"""
        WITH c AS (SELECT id FROM {r} WHERE external_id IN ({",".join(["%s"] * len(ids))}){by_pk}),
             fam AS (SELECT family_id FROM {m} WHERE valid_to IS NULL AND resident_id IN (SELECT id FROM c)),
             people AS (SELECT id FROM c UNION SELECT resident_id FROM {m} WHERE valid_to IS NULL AND family_id IN (SELECT family_id FROM fam))
        SELECT {rows.columns(Resident, "r")}, f.kk_number FROM {r} r
        LEFT JOIN {m} m ON m.resident_id = r.id AND m.valid_to IS NULL
        LEFT JOIN {f} f ON f.id = m.family_id
        WHERE r.id IN (SELECT id FROM people)
    """  # noqa: S608 - fixed identifiers, values as parameters
    k = rows.width(Resident)
    with connection.cursor() as cur:
        cur.execute(sql, [*ids, *pks])
        return [(rows.instance(Resident, x[:k]), x[k] or "") for x in cur.fetchall()]


def holdings_of(resident_ids: Collection[int]) -> list[Holding]:
    """``holdings`` of a handful of residents, in one plain statement (the API's path: the ORM's
    union of two joins cost more to build than to run)."""
    ids = list(resident_ids)
    if not ids:
        return []
    marks = ",".join(["%s"] * len(ids))
    h, rc, rr, sc, r = (HoldingRow._meta.db_table, RollCandidate._meta.db_table, RollRow._meta.db_table, Scheme._meta.db_table,
                        Resident._meta.db_table)
    sql = f"""
        SELECT r.external_id, h.resident_id, s.code, h.component, 1 FROM {h} h
        JOIN {r} r ON r.id = h.resident_id JOIN {sc} s ON s.id = h.scheme_id
        WHERE h.status IN (%s, %s) AND h.resident_id IN ({marks})
        UNION ALL
        SELECT r.external_id, c.resident_id, s.code, o.component, 0 FROM {rc} c
        JOIN {rr} o ON o.id = c.roll_row_id JOIN {r} r ON r.id = c.resident_id JOIN {sc} s ON s.id = o.scheme_id
        WHERE o.status IN (%s, %s) AND c.resident_id IN ({marks})
    """  # noqa: S608 - fixed identifiers, values as parameters
    args = [HoldingStatus.ACTIVE.value, HoldingStatus.EXIT_FLAGGED.value, *ids, RollRowStatus.POSSIBLE.value, RollRowStatus.AMBIGUOUS.value, *ids]
    with connection.cursor() as cur:
        cur.execute(sql, args)
        return [Holding(ext or str(pk), code, component, certain=bool(certain)) for ext, pk, code, component, certain in cur.fetchall()]


def holdings() -> Iterator[Holding]:
    """Every active holding, and the candidates of queued roll rows as uncertain holdings
    (``holdings_of`` for a handful of residents)."""
    # A holding flagged for exit (the holder died or moved) still counts until it is ended.
    active = HoldingRow.objects.filter(status__in=[HoldingStatus.ACTIVE, HoldingStatus.EXIT_FLAGGED])
    queued = RollCandidate.objects.filter(roll_row__status__in=[RollRowStatus.POSSIBLE, RollRowStatus.AMBIGUOUS])
    for ext, pk, code, component in active.values_list("resident__external_id", "resident_id", "scheme__code", "component").iterator(
            chunk_size=20_000):
        yield Holding(ext or str(pk), code, component)
    for ext, pk, code, component in queued.values_list("resident__external_id", "resident_id", "roll_row__scheme__code",
                                                       "roll_row__component").iterator(chunk_size=20_000):
        yield Holding(ext or str(pk), code, component, certain=False)


class OnlineIndex:
    """The registry's online index, built once per worker process and rebuilt when the
    registry's version moves on (an import, a birth, a death)."""

    _lock = threading.Lock()
    _index: ReferenceIndex | None = None
    _version: int = -1

    @classmethod
    def version(cls) -> int:
        v = RegistryState.objects.aggregate(v=Max("version"))["v"]
        return int(v or 0)

    @classmethod
    def get(cls, version: int | None = None) -> ReferenceIndex:
        version = cls.version() if version is None else version
        if cls._index is not None and cls._version == version:
            return cls._index
        with cls._lock:
            if cls._index is None or cls._version != version:
                records = list(person_records())
                if len(records) >= 100_000:
                    cls._index = ReferenceIndex.build_fast(records)
                else:
                    cls._index = ReferenceIndex.build(records)
                cls._version = version
        assert cls._index is not None
        return cls._index

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._index, cls._version = None, -1
