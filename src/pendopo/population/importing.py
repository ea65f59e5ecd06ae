"""Import of civil-registry extracts (CSV or XLSX in the registry shape of the screening
contract, plus optional extra columns).

Every row is validated on its own; rows that fail go to the quarantine with the reason and the
column, and never hold back a good row. The whole import is one transaction: a crash or a kill
midway leaves the registry as it was. Re-importing the same file changes nothing; an updated
file's changes are recorded (status changes with their date, KK changes as dated membership,
every changed field in the audit trail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from pendopo.core.audit import audit_write
from pendopo.core.models import Region, RegionLevel
from pendopo.linkage.errors import InputError
from pendopo.linkage.io import open_table
from pendopo.population.checking import (
    FIELDS,
    Checked,
    Checker,
    Clean,
    check_batch,
    choice_key,
    worker_check,
    worker_start,
)
from pendopo.population.events import residents_left
from pendopo.population.models import (
    Education,
    Family,
    FamilyMembership,
    ImportStatus,
    MaritalStatus,
    QuarantinedRow,
    RegistryImport,
    RegistryState,
    Relationship,
    Religion,
    Resident,
    ResidentNameToken,
    ResidentStatus,
)
from pendopo.population.search import tokens_refresh
from pendopo.population.services import IdAllocator, insert_rows, refresh_statistics

REQUIRED = ("person_id", "nik", "kk", "name", "sex", "birth_date", "village_code", "status")
OPTIONAL = ("birth_place", "address", "religion", "marital_status", "occupation", "education", "relationship",
            "nik_exception_reason")
CHUNK = 5_000
DEFER_INDEXES_FROM = 50_000  # good rows from which a load into a smaller registry builds DEFERRED_INDEXES at the end
PARALLEL_FROM = 50_000  # rows (as the file's size suggests) from which checking runs in worker processes
IMPORT_CACHE_KIB = int(os.environ.get("PENDOPO_IMPORT_CACHE_KIB", 262_144))  # SQLite page cache while importing
AT = {f: 5 + i for i, f in enumerate(FIELDS)}  # where each field is in a packed clean row
BATCH = 2_000  # rows checked at a time (in a worker process for large files)
Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass
class Result:
    record: RegistryImport
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, reason), first 20


def _checker(today: dt.date) -> Checker:
    villages = frozenset(Region.objects.filter(level=RegionLevel.VILLAGE).values_list("code", flat=True))
    choices: dict[str, dict[str, str]] = {}
    for kind, options in (("relationship", Relationship), ("religion", Religion), ("marital_status", MaritalStatus),
                          ("education", Education)):
        # the stored values, the Indonesian labels and the labels in the active language
        words = {str(c.value): str(c.value) for c in options}
        with translation.override("id"):
            words |= {choice_key(str(c.label)): str(c.value) for c in options}
        words |= {choice_key(str(c.label)): str(c.value) for c in options}
        choices[kind] = words
    return Checker(villages, today, choices)


def _checked(rows: Iterable[tuple[int, list[object]]], checker: Checker, columns: dict[str, int], workers: int,
             ) -> Iterator[tuple[list[tuple[int, list[object]]], Checked]]:
    """Each batch of rows with its check, in file order; in ``workers`` processes when there
    are several (a few batches in flight at a time, so memory stays bounded)."""
    if workers <= 1:
        for batch in _parts(rows, BATCH):
            yield batch, check_batch(checker, columns, batch)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process holding database connections
    with ProcessPoolExecutor(workers, mp_context=context, initializer=worker_start, initargs=(checker, columns)) as pool:
        pending: deque[tuple[list[tuple[int, list[object]]], Future[Checked]]] = deque()
        for batch in _parts(rows, BATCH):
            pending.append((batch, pool.submit(worker_check, batch)))
            if len(pending) > 2 * workers:
                part, future = pending.popleft()
                yield part, future.result()
        while pending:
            part, future = pending.popleft()
            yield part, future.result()


def _workers(size: int | None) -> int:
    """Worker processes for checking: for large files only (starting one costs about a second)."""
    wanted = getattr(settings, "REGISTRY_IMPORT_WORKERS", None)
    if wanted is None:
        wanted = min(2, os.cpu_count() or 1) if (size or 0) >= PARALLEL_FROM else 1
    return max(1, int(wanted))


def _rows(path: Path) -> tuple[dict[str, int], Iterator[tuple[int, list[object]]], int | None]:
    """The wanted columns (field → position), the non-empty rows with their line number, and
    about how many rows there are."""
    table = open_table(path)
    header = [h.strip() for h in table.header]
    lower = {h.lower(): i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in lower]
    if missing:
        close = getattr(table.rows, "close", None)
        if close:
            close()
        raise InputError(f"kolom wajib '{missing[0]}' tidak ada (kolom yang ada: {', '.join(header)}) / required column missing",
                         file=str(path), row=1, column=missing[0])
    wanted = {c: lower[c] for c in REQUIRED + OPTIONAL if c in lower}

    def rows() -> Iterator[tuple[int, list[object]]]:
        for line, row in enumerate(table.rows, start=1):
            if any(v not in (None, "") for v in row):
                yield line, row

    return wanted, rows(), _row_estimate(path, table.size_hint)


def _row_estimate(path: Path, size_hint: int | None) -> int | None:
    """A spreadsheet knows its rows; for CSV the hint is the file's size, so count the lines of
    its first 256 KB and scale."""
    if path.suffix.lower() != ".csv" or not size_hint:
        return size_hint
    with path.open("rb") as f:
        head = f.read(1 << 18)
    lines = head.count(b"\n")
    return max(1, int(size_hint * lines / len(head)) - 1) if lines and len(head) < size_hint else max(1, lines - 1)


def registry_import(*, actor: Any, path: str | Path, progress: Progress | None = None,
                    saving: Callable[[int], None] | None = None) -> Result:
    """Load an extract. Raises ``InputError`` (nothing written) when the file itself is unusable.
    ``saving(rows)`` is called when every row has been read and checked and writing begins.

    Checked rows wait in a temporary file between the two phases, not in memory, so a regency's
    extract (or a larger one) is held a chunk at a time."""
    p = Path(path)
    columns, rows, size = _rows(p)
    digest = hashlib.sha256()
    with p.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    today = timezone.localdate()
    checker = _checker(today)
    record = RegistryImport(file_name=p.name[:200], file_sha256=digest.hexdigest(), created_by=actor if getattr(actor, "pk", None) else None)
    result = Result(record)
    seen_pid: dict[str, int] = {}
    seen_nik: dict[str, int] = {}
    dropped: set[int] = set()  # lines of clean rows that repeat an earlier row of the file
    bad: list[tuple[int, str, str, dict[str, str | None]]] = []
    n = good_rows = 0

    def hold(line: int, column: str, reason: str, row: list[object]) -> None:
        cells = {c: (row[i] if i < len(row) else None) for c, i in columns.items()}
        bad.append((line, column, reason[:250], {k: (None if v is None else str(v)) for k, v in cells.items()}))
        if len(bad) == CHUNK:
            _spill(spill_bad, bad)
            bad.clear()

    with tempfile.TemporaryFile() as spill_good, tempfile.TemporaryFile() as spill_bad:
        for batch, (keys, clean, wrong) in _checked(rows, checker, columns, _workers(size)):
            row_of = dict(batch) if wrong or keys else {}
            for line, pid, nik in keys:
                if pid in seen_pid:
                    dropped.add(line)
                    hold(line, "person_id", f"person_id sama dengan baris {seen_pid[pid]}", row_of[line])
                elif nik in seen_nik:
                    dropped.add(line)
                    hold(line, "nik", f"NIK sama dengan baris {seen_nik[nik]} di berkas yang sama", row_of[line])
                else:
                    seen_pid[pid] = line
                    seen_nik[nik] = line
                    good_rows += 1
            if keys:
                spill_good.write(clean)
            for line, column, reason in wrong:
                hold(line, column, reason, row_of[line])
            before, n = n, n + len(batch)
            if progress and n // CHUNK != before // CHUNK:
                progress(n, max(size or n, n))
        if n == 0:
            raise InputError("tidak ada baris data / no data rows", file=str(p), row=2)
        del seen_pid, seen_nik
        _spill(spill_bad, bad)
        if saving:
            saving(n)
        defer = good_rows >= DEFER_INDEXES_FROM and good_rows > Resident.objects.count()
        with transaction.atomic(), _import_settings(), _indexes_deferred(defer, everything=defer and _registry_empty()):
            record.rows = n
            record.save()
            held: list[QuarantinedRow] = []
            counts = _apply((t for t in _unspill(spill_good) if t[0] not in dropped), held, record, actor, today, progress, n)
            quarantined = (QuarantinedRow(line=t[0], column=t[1], reason=t[2], data=t[3]) for t in _unspill(spill_bad))
            held_back = 0
            for part in _parts(itertools.chain(quarantined, held), CHUNK):
                for b in part:
                    b.registry_import = record
                QuarantinedRow.objects.bulk_create(part, batch_size=CHUNK)
                held_back += len(part)
                if len(result.problems) < 20:
                    result.problems.extend((b.line, b.column, b.reason) for b in part[: 20 - len(result.problems)])
            record.created, record.updated, record.unchanged = counts
            record.held_back = held_back
            record.status = ImportStatus.DONE
            record.save()
            if record.created or record.updated:
                registry_changed()
            audit_write(actor=actor if getattr(actor, "pk", None) else None, action="registry.import", obj=record,
                        changes={"rows": n, "created": record.created, "updated": record.updated, "unchanged": record.unchanged,
                                 "held_back": record.held_back, "file": record.file_name})
    result.problems.sort()
    if record.created > DEFER_INDEXES_FROM:
        refresh_statistics()
    return result


def _spill(f: IO[bytes], items: list[Any]) -> None:
    if items:
        pickle.dump(items, f, protocol=pickle.HIGHEST_PROTOCOL)


def _unspill(f: IO[bytes]) -> Iterator[Any]:
    f.flush()
    f.seek(0)
    while True:
        try:
            yield from pickle.load(f)  # noqa: S301 - our own temporary file, written above
        except EOFError:
            return


def _parts(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while part := list(itertools.islice(it, size)):
        yield part


# Indexes whose keys arrive in random order (a name, a birth date within a village, a name's
# sound key): a first load into an empty registry builds them once at the end, sorted, instead of
# inserting millions of keys one by one. The unique indexes stay, the import looks rows up by them.
DEFERRED_INDEXES = ("resident_village_name", "resident_village_birth", "name_token_lookup")


LOADED = (Family, Resident, FamilyMembership, ResidentNameToken)


def _registry_empty() -> bool:
    return not any(m.objects.exists() for m in LOADED)


@contextmanager
def _indexes_deferred(active: bool, *, everything: bool = False) -> Iterator[None]:
    """Drop the ``DEFERRED_INDEXES`` and create them again, inside the import's transaction (both
    databases roll back index changes with the rest). On PostgreSQL the foreign keys of the
    loaded tables go the same way: adding one back checks every row in one join, where keeping
    it checks each inserted row by itself at commit. (Both lock the tables until the load
    commits; a first load fills a registry nobody reads yet.)

    With ``everything`` (PostgreSQL, a first load into an empty registry) every index and unique
    constraint of the loaded tables but the primary keys goes too: such a load looks nothing up
    in them (``_apply`` keeps the new families in memory), and building an index once, sorted,
    costs a fraction of inserting two million random NIKs into it. Adding a unique constraint
    back still checks it, and a duplicate fails the whole import."""
    if not active:
        yield
        return
    foreign: list[tuple[str, str, str]] = []
    unique: list[tuple[str, str, str]] = []
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({','.join(['%s'] * len(DEFERRED_INDEXES))})",  # noqa: S608 - placeholders only
                        list(DEFERRED_INDEXES))
            definitions = cur.fetchall()
        else:
            tables = [m._meta.db_table for m in LOADED]
            cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", [tables])
            foreign = cur.fetchall()
            if everything:
                cur.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)", [tables])
                unique = cur.fetchall()
                cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                            "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass "
                            "AND c.contype IN ('p', 'u'))", [tables])
            else:
                cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY(%s)",
                            [list(DEFERRED_INDEXES)])
            definitions = cur.fetchall()
            for table, name, _definition in foreign + unique:
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _sql in definitions:
            cur.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with checks pending (rows written before the
            # load began); run them now, a broken reference still fails the import
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index sorted in memory
        for table, name, definition in unique:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, sql in definitions:
            cur.execute(sql)
        for table, name, definition in foreign:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def _import_settings() -> Iterator[None]:
    """A larger SQLite page cache while the registry's indexes grow by millions of rows (the
    default 2 MB makes every insert into a large index read its pages again). On PostgreSQL,
    index lookups only: the tables grow inside this one transaction, where no statistics see
    the new rows, and the planner otherwise scans a million-row table for 5,000 keys."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size={int(before)}")


RESIDENT_COLUMNS = ["id", "external_id", *(f for f in FIELDS), "status_changed_on"]


def _existing(chunk: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Registry rows with one of the chunk's person ids or NIKs. Plain SQL: building a query of
    10,000 parameters through the ORM cost more than running it."""
    columns = ["id", "external_id", *FIELDS]
    marks = ",".join(["%s"] * len(chunk))
    sql = (f"SELECT {', '.join(columns)} FROM {Resident._meta.db_table} "  # noqa: S608 - fixed identifiers, values as parameters
           f"WHERE external_id IN ({marks}) OR nik IN ({marks})")
    with connection.cursor() as cur:
        cur.execute(sql, [t[1] for t in chunk] + [t[AT["nik"]] for t in chunk])
        found = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    for r in found:
        if isinstance(r["birth_date"], str):  # SQLite hands dates back as text here
            r["birth_date"] = dt.date.fromisoformat(r["birth_date"])
    return found


def _families(kks: set[str]) -> dict[str, tuple[int, dt.date | None]]:
    """KK number → (id, issued on) of the families already there (plain SQL, as ``_existing``)."""
    if not kks:
        return {}
    sql = (f"SELECT kk_number, id, issued_on FROM {Family._meta.db_table} "  # noqa: S608 - fixed identifiers
           f"WHERE kk_number IN ({','.join(['%s'] * len(kks))})")
    with connection.cursor() as cur:
        cur.execute(sql, list(kks))
        return {kk: (pk, dt.date.fromisoformat(issued) if isinstance(issued, str) else issued) for kk, pk, issued in cur.fetchall()}


def _apply(good: Iterable[tuple[Any, ...]], bad: list[QuarantinedRow], record: RegistryImport, actor: Any, today: dt.date,
           progress: Progress | None, total: int) -> tuple[int, int, int]:
    """Write the clean rows (packed, see ``Clean.packed``) chunk by chunk: new families,
    residents and memberships through the fast bulk path, changed residents through the ORM with
    their diff in the audit trail."""
    created = updated = unchanged = 0
    family_ids, resident_ids = IdAllocator(Family), IdAllocator(Resident)
    who = actor if getattr(actor, "pk", None) else None
    done = 0
    # Into an empty registry nothing can match: the file's person ids and NIKs are unique.
    empty = not Resident.objects.exists()
    village, dusun, rt, rw, status = AT["village_id"], AT["dusun"], AT["rt"], AT["rw"], AT["status"]
    made: dict[str, tuple[int, dt.date | None]] = {}  # families this load created, when it started empty
    empty_families = empty and not Family.objects.exists()
    for chunk in _parts(good, CHUNK):
        rows = [] if empty else _existing(chunk)
        by_pid = {r["external_id"]: r for r in rows if r["external_id"]}
        by_nik = {r["nik"]: r for r in rows}
        if empty_families:  # nothing to look up (and no KK index while a first load runs on PostgreSQL)
            families = {t[2]: made[t[2]] for t in chunk if t[2] in made}
        else:
            families = _families({t[2] for t in chunk})
        first_of: dict[str, tuple[Any, ...]] = {}
        for t in chunk:
            first_of.setdefault(t[2], t)
        new_kks = sorted(set(first_of) - set(families))
        fam_rows: list[tuple[object, ...]] = []
        for kk, pk in zip(new_kks, family_ids.take(len(new_kks)), strict=True):
            t = first_of[kk]
            fam_rows.append((pk, kk, t[village], t[dusun], t[rt], t[rw], None, None))
            families[kk] = (pk, None)
            if empty_families:
                made[kk] = (pk, None)
        insert_rows(Family._meta.db_table, ["id", "kk_number", "village_id", "dusun", "rt", "rw", "issued_on", "closed_on"], fam_rows)
        collisions = 0
        fresh: list[tuple[Any, ...]] = []
        to_update: list[tuple[Resident, dict[str, tuple[object, object]]]] = []
        existing_of: dict[int, Clean] = {}
        for t in chunk:
            old = by_pid.get(t[1]) or by_nik.get(t[AT["nik"]]) if rows else None
            if old is None:
                fresh.append(t)
                continue
            c = Clean.unpacked(t)
            if old is not None and old["external_id"] not in (None, c.person_id):
                collisions += 1
                bad.append(QuarantinedRow(line=c.line, column="nik", reason=f"NIK sudah dipakai penduduk {old['external_id']}",
                                          data={"person_id": c.person_id, "nik": c.values["nik"]}))
                continue
            diff = {k: (old[k], v) for k, v in c.values.items() if old[k] != v}
            if old["external_id"] is None:
                diff["external_id"] = (None, c.person_id)
            if diff:
                changed = Resident(pk=old["id"], **{k: old[k] for k in FIELDS}, external_id=c.person_id)
                for k, (_, v) in diff.items():
                    setattr(changed, k, v)
                changed.status_changed_on = today if "status" in diff else None
                to_update.append((changed, diff))
            existing_of[old["id"]] = c
        res_rows: list[tuple[object, ...]] = []
        mem_rows: list[tuple[object, ...]] = []
        token_rows: list[tuple[object, ...]] = []
        for t, pk in zip(fresh, resident_ids.take(len(fresh)), strict=True):
            res_rows.append((pk, t[1], *t[5:], today if t[status] != ResidentStatus.ALIVE else None))
            token_rows.extend((pk, key) for key in t[4])
            fam_pk, issued = families[t[2]]
            mem_rows.append((fam_pk, pk, t[3] or Relationship.OTHER, issued or today, None))
        insert_rows(Resident._meta.db_table, RESIDENT_COLUMNS, res_rows)
        insert_rows(ResidentNameToken._meta.db_table, ["resident_id", "token"], token_rows)
        insert_rows(FamilyMembership._meta.db_table, ["family_id", "resident_id", "relationship", "valid_from", "valid_to"], mem_rows)
        if to_update:
            fields = [*FIELDS, "external_id"]
            Resident.objects.bulk_update([r for r, _ in to_update], fields, batch_size=1000)
            tokens_refresh([r.pk for r, d in to_update if "name" in d])
            dated = [r for r, d in to_update if "status" in d]
            Resident.objects.bulk_update(dated, ["status_changed_on"], batch_size=1000)
            left = {r.pk: r.status for r in dated if r.status != ResidentStatus.ALIVE}
            if left:
                residents_left.send(sender=registry_import, residents=left, on=today, actor=who)
            for r, diff in to_update:
                audit_write(actor=who, action="resident.update", obj=r, personal_data=True,
                            changes={k: [_plain(a), _plain(b)] for k, (a, b) in diff.items()} | {"import": record.pk})
        moved = _memberships(existing_of, families, today)
        created += len(fresh)
        updated += len({r.pk for r, _ in to_update} | moved)
        unchanged += len(chunk) - len(fresh) - collisions - len({r.pk for r, _ in to_update} | moved)
        done += len(chunk)
        if progress:
            progress(min(total, done), total)
    return created, updated, unchanged


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _memberships(clean_of: dict[int, Clean], families: dict[str, tuple[int, dt.date | None]], today: dt.date) -> set[int]:
    """Keep existing residents on the row's KK: a resident whose KK changed leaves the old one
    today and joins the new one (the history stays). Returns the residents that changed KK."""
    current: dict[int, tuple[Any, ...]] = {}
    if clean_of:
        # plain SQL as in _existing: an unchanged re-import reads every resident's membership
        columns = ["id", "family_id", "resident_id", "relationship", "valid_from"]
        sql = (f"SELECT {', '.join(columns)} FROM {FamilyMembership._meta.db_table} "  # noqa: S608 - fixed identifiers
               f"WHERE valid_to IS NULL AND resident_id IN ({','.join(['%s'] * len(clean_of))})")
        with connection.cursor() as cur:
            cur.execute(sql, list(clean_of))
            current = {row[2]: row for row in cur.fetchall()}  # model instances only for what changes

    def instance(row: tuple[Any, ...]) -> FamilyMembership:
        pk, family_id, resident_id, relationship, valid_from = row
        return FamilyMembership(pk=pk, family_id=family_id, resident_id=resident_id, relationship=relationship,
                                valid_from=dt.date.fromisoformat(valid_from) if isinstance(valid_from, str) else valid_from)

    close: list[FamilyMembership] = []
    relate: list[FamilyMembership] = []
    open_: list[FamilyMembership] = []
    changed: set[int] = set()
    for rid, c in clean_of.items():
        row = current.get(rid)
        family_pk, issued = families[c.kk]
        if row is not None and row[1] == family_pk:
            if c.relationship and row[3] != c.relationship:
                m = instance(row)
                m.relationship = c.relationship
                relate.append(m)
            continue
        if row is not None:
            m = instance(row)
            m.valid_to = max(today, m.valid_from)
            close.append(m)
            changed.add(rid)
        open_.append(FamilyMembership(family_id=family_pk, resident_id=rid, relationship=c.relationship or Relationship.OTHER,
                                      valid_from=today if row is not None else (issued or today)))
    FamilyMembership.objects.bulk_update(close, ["valid_to"], batch_size=1000)
    FamilyMembership.objects.bulk_update(relate, ["relationship"], batch_size=1000)
    FamilyMembership.objects.bulk_create(open_, batch_size=CHUNK)
    return changed


def registry_changed() -> None:
    """Tell every in-memory index that the registry changed (after this transaction commits)."""
    RegistryState.objects.get_or_create(pk=1)
    RegistryState.objects.filter(pk=1).update(version=F("version") + 1)
