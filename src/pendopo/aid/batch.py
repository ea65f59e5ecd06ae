"""``pendopo screen`` on files or on the database: one intake against a registry and the rolls,
in process on DuckDB (no Django here; the database mode feeds rows in through ``aid/linkage.py``).

One linkage job resolves the intake rows and the roll rows together against the registry (the
registry is prepared and its keys built once), then ``screening.Screener`` decides each intake
row in input order.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import json
import os
import shutil
import signal
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import duckdb

from pendopo.aid.rules import Catalogue, normalise_code
from pendopo.aid.screen_cli import SCREEN_MEMORY
from pendopo.aid.screening import (
    Holding,
    Holdings,
    Outcome,
    Registry,
    RegistryPerson,
    Screener,
    Text,
    Typed,
)
from pendopo.linkage import columnar
from pendopo.linkage.batch import DuckDBLinker
from pendopo.linkage.errors import InputError
from pendopo.linkage.index import Candidate, Resolution, Status, Thresholds, decide
from pendopo.linkage.io import SHEETS, check_utf8, open_table
from pendopo.linkage.sqlprep import drop_relation, prepare_in_duckdb
from pendopo.linkage.stages import LinkerBase, decode, gc_paused
from pendopo.population.values import registry_status

PERSON = ("nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code")
REQUIRED = {
    "registry": ("person_id", "nik", "name", "status"),
    "rolls": ("nik", "name", "scheme"),
    "intake": ("nik", "name"),
}
OPTIONAL_EXTRA = {"registry": (), "rolls": ("component",), "intake": ()}
ALL_COLUMNS = ("person_id", "status", "scheme", "component", *PERSON)
OUTPUT_HEADER = ("row", "decision", "reasons", "person_id", "score", "explanation")
TOP = 3  # candidates kept per row: the best, and those that may tie with it
Progress = Callable[[str, int], None]
# A roll row (``o``) typed as its person's registry row (prepared as ``f``, with the name as
# typed) says the same name and birth date, so it gets the same normalised name and birth: the
# name in the same letters up to case (a name is normalised from its lower case; the same text,
# or plain ASCII on both sides, where DuckDB's and Python's lower case agree), the birth date in
# one of the forms ``parse_date`` reads as exactly that date (ISO, day first with '/', '-' or
# '.', a spreadsheet serial of four or five digits; a registry birth is from 1900 on, so its ISO
# form is the date cast to text).
# The cheap tests come first: most rows fail or pass on them.
_DAY = "(DATE '0001-01-01' + (f.birth - 1))"
SAME_TEXT = f"""(lower(o.name) = lower(f.raw_name)
    AND (o.name = f.raw_name OR (regexp_full_match(o.name, '[ -~]+') AND regexp_full_match(f.raw_name, '[ -~]+')))
    AND (o.birth_date = {_DAY}::VARCHAR
         OR o.birth_date IN (strftime({_DAY}, '%d/%m/%Y'), strftime({_DAY}, '%d-%m-%Y'), strftime({_DAY}, '%d.%m.%Y'))
         OR (regexp_full_match(o.birth_date, '[0-9]{{4,5}}') AND o.birth_date = ({_DAY} - DATE '1899-12-30')::VARCHAR)))"""


@dataclass
class Summary:
    registry: int = 0
    rolls: int = 0
    rolls_resolved: int = 0
    rolls_uncertain: int = 0
    rolls_unresolved: int = 0
    rolls_skipped: int = 0
    intake: int = 0


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def stage_file(con: duckdb.DuckDBPyConnection, path: str | Path, table: str, kind: str) -> int:
    """Load one input file into ``table`` (all text, a ``line`` column with the 1-based data
    row) with the contract's column names; refuse it whole, naming the file, row and column,
    when it cannot be used."""
    p = Path(path)
    t = open_table(p)  # existence, emptiness, binary content, header row
    header = [h.strip() for h in t.header]
    lower = {h.lower(): h for h in header if h}
    wanted = REQUIRED[kind] + tuple(c for c in PERSON + OPTIONAL_EXTRA[kind] + ("person_id", "status", "scheme")
                                    if c not in REQUIRED[kind])
    for col in REQUIRED[kind]:
        if col not in lower:
            close = getattr(t.rows, "close", None)
            if close:
                close()
            raise InputError(f"kolom wajib '{col}' tidak ada (kolom yang ada: {', '.join(header) or '-'}) / required column missing",
                             file=str(p), row=1, column=col)
    present = [c for c in dict.fromkeys(wanted) if c in lower]
    absent = ", ".join(f"NULL::VARCHAR AS {c}" for c in dict.fromkeys(ALL_COLUMNS) if c not in present)
    if p.suffix.lower() in SHEETS:
        index = {h: i for i, h in enumerate(header)}
        columns: dict[str, list[str | None]] = {c: [] for c in present}
        for row in t.rows:
            if not any(v not in (None, "") for v in row):
                continue  # trailing empty sheet rows
            for c in present:
                i = index[lower[c]]
                columns[c].append(cell_text(row[i]) if i < len(row) else None)
        columnar.store(con, f"{table}_rows", columns, [(c, "VARCHAR") for c in columns])
    else:
        close = getattr(t.rows, "close", None)
        if close:
            close()
        check_utf8(p)
        escaped = str(p).replace("'", "''")
        select = ", ".join(f'nullif(trim("{lower[c]}"), \'\') AS {c}' for c in present)
        try:
            con.execute(f"""
                CREATE OR REPLACE TABLE {table}_rows AS
                SELECT {select}
                FROM read_csv('{escaped}', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                              null_padding = true, auto_detect = false,
                              columns = {{{", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in t.header)}}},
                              )
            """)  # noqa: S608 - names are our own or quoted header names
        except duckdb.OutOfMemoryException:
            raise  # the memory limit, not the file
        except duckdb.Error as exc:
            raise InputError(f"CSV tidak dapat dibaca ({str(exc).splitlines()[0][:200]}) / unreadable CSV", file=str(p)) from exc
    # The stored table keeps the file's order (insertion order is preserved), so its rowid is the
    # row: a view adds the line number and the absent columns without copying millions of rows.
    con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT (rowid + 1)::BIGINT AS line, *{', ' + absent if absent else ''} FROM {table}_rows")
    n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
    if n == 0:
        raise InputError("tidak ada baris data / no data rows", file=str(p), row=2)
    return int(n)


class ScreenJob(LinkerBase):
    """One screening run. Feed the registry, the holdings (rolls to resolve, or holdings already
    resolved) and the intake, then ``run``."""

    # Roll rows that agree with their sure pair on name and birth date need no score in a
    # screening (``DuckDBLinker.score_link``); False compares them like every other pair.
    SETTLE_ROLLS = True
    # Of those, the rows typed as their person's registry row are settled before they are even
    # prepared (``_settle_copies``); False leaves them to ``score_link`` (the same rows settled).
    SETTLE_COPIES = True
    # ``run_to_file`` decides in two processes from this many intake rows, this process the
    # first SPLIT_SHARE percent of them (more than half: the child first replays them; at 2M
    # people, with 55 this process waited 0.11-0.19 s for the child, with 60 at most 0.06 s).
    SPLIT_FROM = 10_000
    SPLIT_SHARE = 60

    def __init__(self, catalogue: Catalogue, scheme: str, *, memory_limit: str = SCREEN_MEMORY, threads: int | None = None,
                 thresholds: Thresholds | None = None, progress: Progress | None = None) -> None:
        self.catalogue = catalogue
        self.scheme = normalise_code(scheme)
        if catalogue.scheme(self.scheme) is None:
            known = ", ".join(sorted(catalogue.schemes))
            raise InputError(f"skema '{scheme}' tidak dikenal (yang ada: {known}) / unknown scheme", column="--scheme")
        self.progress = progress or (lambda stage, n: None)
        self.linker = DuckDBLinker(memory_limit=memory_limit, threads=threads, thresholds=thresholds, progress=self.progress)
        self.con = self.linker.con
        # DuckDB checkpoints an in-memory database too, once its changes pass a threshold: at 2M
        # people that is one pass of 0.6-0.7 s over tables a screening only creates and drops.
        # Without it the peak is about 70 MiB higher (1,348 against 1,277 MiB), which a screening
        # can afford; a link job, whose memory is its limit, keeps the default.
        self.con.execute("SET checkpoint_threshold = '1TB'")
        self.summary = Summary()
        self.known_holdings: list[Holding] = []
        self.settled = False  # roll rows settled without a score (``DuckDBLinker.score_link``)
        self.parts = 1  # processes that decided the rows of ``run_to_file``

    def close(self) -> None:
        self.linker.close()

    # --- inputs --------------------------------------------------------------------------
    def registry_file(self, path: str | Path) -> int:
        n = stage_file(self.con, path, "reg", "registry")
        self.linker.count_input(n)
        bad = self.con.execute("SELECT line FROM reg WHERE person_id IS NULL ORDER BY line LIMIT 1").fetchall()
        if bad:
            raise InputError("person_id kosong / empty person_id", file=str(path), row=bad[0][0], column="person_id")
        self._check_registry(str(path))
        self.summary.registry = n
        return n

    def registry_rows(self, rows: Iterable[Sequence[object]]) -> int:
        """Registry rows from the database: (person_id, status, nik, kk, name, sex, birth_place,
        birth_date, address, village_code)."""
        cols = ("person_id", "status", *PERSON)
        self.con.execute("CREATE OR REPLACE TABLE reg (line BIGINT, " + ", ".join(f"{c} VARCHAR" for c in cols) + ")")
        chunk: list[Sequence[object]] = []
        n = 0

        def flush() -> None:
            if chunk:
                data = {c: [None if r[i] is None else str(r[i]) for r in chunk] for i, c in enumerate(cols)}
                data["line"] = range(n - len(chunk) + 1, n + 1)  # type: ignore[assignment]
                columnar.store(self.con, "reg", data, [("line", "BIGINT"), *((c, "VARCHAR") for c in cols)], insert=True)
                chunk.clear()

        for row in rows:
            chunk.append(row)
            n += 1
            if len(chunk) >= 50_000:
                flush()
                self.progress("load:registry", n)
        flush()
        self.linker.count_input(n)
        self.summary.registry = n
        return n

    def _check_registry(self, file: str) -> None:
        dup = self.con.execute("""
            SELECT person_id, max(line) FROM (SELECT person_id, line, row_number() OVER (PARTITION BY person_id ORDER BY line) AS k FROM reg)
            WHERE k = 2 GROUP BY person_id ORDER BY 2 LIMIT 1
        """).fetchall()
        if dup:
            raise InputError(f"person_id '{dup[0][0]}' muncul dua kali / duplicate person_id", file=file, row=int(dup[0][1]) + 1,
                             column="person_id")
        statuses = [r[0] for r in self.con.execute("SELECT DISTINCT coalesce(status, '') FROM reg").fetchall()]
        unknown = [s for s in statuses if registry_status(s) is None]
        if unknown:
            line = self.con.execute("SELECT min(line) FROM reg WHERE status = ?", [unknown[0]]).fetchall()[0][0]
            raise InputError(f"status '{unknown[0]}' tidak dikenal (alive, deceased, moved) / unknown status", file=file,
                             row=int(line) + 1, column="status")

    def rolls_file(self, path: str | Path) -> int:
        n = stage_file(self.con, path, "rolls", "rolls")
        self.linker.count_input(n)
        self.summary.rolls = n
        return n

    def holdings(self, holdings: Iterable[Holding]) -> None:
        """Holdings already resolved to registry people (the database mode)."""
        self.known_holdings.extend(holdings)

    def intake_file(self, path: str | Path) -> int:
        n = stage_file(self.con, path, "intake", "intake")
        self.linker.count_input(n)
        self.summary.intake = n
        return n

    # --- the run ---------------------------------------------------------------------------
    def resolve_rolls(self) -> tuple[dict[int, RollLink], list[tuple[int, str | None, str | None, dict[str, str | None]]]]:
        """Only the roll rows against the registry (a roll import): the link of each roll row by
        line, and every roll row as (line, scheme, component, cells)."""
        with gc_paused():
            links = self._roll_links() if self._link(intake=False) else {}
            cols = ("line", "scheme", "component", *PERSON)
            rows = self.con.execute(f"SELECT {', '.join(cols)} FROM rolls ORDER BY line").fetchall()
            return links, [(int(r[0]), r[1], r[2], dict(zip(PERSON, r[3:], strict=True))) for r in rows]

    def run(self, already_proposed: Callable[[RegistryPerson, list[str]], Text | None] | None = None) -> list[Outcome]:
        with gc_paused():
            screener, rows, candidates = self._screening(already_proposed)
            resolutions = _resolutions(candidates, self.linker.thresholds)
            out = list(_outcomes(screener, rows, 0, len(rows), resolutions))
            self.progress("decide", len(out))
            return out

    def run_to_file(self, path: str | Path) -> Counter[str]:
        """``run`` with its decisions written to ``path`` (``write_decisions``), not kept: the
        file mode of ``pendopo screen``. The deciding is Python on one core, so from
        ``SPLIT_FROM`` rows on (and where processes fork) a child process decides and writes the
        second part of the rows while this one does the first; the child first brings its
        screener to where the first part leaves off (``Screener.remember``), so every row is
        decided as ``run`` decides it. Should the child fail, this process decides its part
        too. The counts of each decision."""
        target = Path(path)
        tmp, part = target.with_name(f".{target.name}.partial"), target.with_name(f".{target.name}.part2")
        child, read_end = 0, -1
        try:
            with gc_paused():
                screener, rows, candidates = self._screening(None)
                split = len(rows) * self.SPLIT_SHARE // 100 if len(rows) >= self.SPLIT_FROM and hasattr(os, "fork") else len(rows)
                # A row's candidates are fetched in line order; those of the first ``split`` rows
                # are decided here, before the fork, since the child's ``remember`` reads them too.
                first = bisect.bisect_right(candidates, rows[split - 1][0], key=lambda c: c[0]) if 0 < split < len(rows) else len(candidates)
                resolutions = _resolutions(candidates[:first], self.linker.thresholds)
                if split < len(rows):
                    read_end, write_end = os.pipe()
                    with warnings.catch_warnings():
                        # Python 3.12 warns on forking a process with threads (DuckDB's): the child
                        # runs only Python on objects made before the fork and never touches DuckDB.
                        warnings.simplefilter("ignore", DeprecationWarning)
                        child = os.fork()
                    if child == 0:  # the child: never returns
                        os.close(read_end)
                        _decide_part(screener, rows, split, resolutions, candidates[first:], self.linker.thresholds, part, write_end)
                    os.close(write_end)
                with tmp.open("w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow(OUTPUT_HEADER)
                    counts = _decide_rows(screener, rows, 0, split, resolutions, w)
                    if child:
                        child_counts = _collect(child, read_end)
                        child = 0
                        self.parts = 1 if child_counts is None else 2
                        if child_counts is not None:
                            with part.open("r", newline="", encoding="utf-8") as second:
                                shutil.copyfileobj(second, f, 1 << 20)
                            counts.update(child_counts)
                            split = len(rows)
                    if split < len(rows):  # no child, or it failed: this process goes on where it left off
                        resolutions.update(_resolutions(candidates[first:], self.linker.thresholds))
                        counts.update(_decide_rows(screener, rows, split, len(rows), resolutions, w))
                self.progress("decide", len(rows))
            tmp.replace(target)
            return counts
        finally:
            if child:  # interrupted, or failed, while the child ran
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                with contextlib.suppress(OSError):
                    os.close(read_end)
            for leftover in (tmp, part):
                leftover.unlink(missing_ok=True)

    def _screening(self, already_proposed: Callable[[RegistryPerson, list[str]], Text | None] | None
                   ) -> tuple[Screener, list[tuple[int, str | None, str, int]], list[tuple[int, str, float, float, int]]]:
        """Link, then what deciding needs: the screener (registry facts and holdings), the intake
        rows (line, typed NIK, sex, birth ordinal) in order, and their candidates (line,
        person_id, weight, probability, pattern code) in line order, best first."""
        linked = self._link(intake=True)
        candidates = self._intake_candidates() if linked else []
        self.progress("registry", len(candidates))
        if linked:
            self._roll_link_table()
            self._holders()
        registry = self._registry() if linked else Registry()
        self.progress("holdings", 0)
        holdings = Holdings(self.known_holdings)
        if linked:
            self._roll_holdings(holdings)
        screener = Screener(self.catalogue, self.scheme, registry, holdings, already_proposed=already_proposed)
        rows = [(int(line), nik, sex, birth) for line, nik, sex, birth in self.con.execute("""
            SELECT i.line, i.nik, f.sex, f.birth FROM intake i JOIN l_feat f ON f.id = 'i' || i.line ORDER BY i.line
        """).fetchall()]
        return screener, rows, candidates

    def _link(self, *, intake: bool) -> bool:
        """Prepare the registry (reference) and the roll rows with, when ``intake``, the intake
        rows (queries) in one job; score the candidates and keep each row's best ``TOP`` in
        ``ranked``. False when there is nothing to link."""
        con = self.con
        person = ", ".join(PERSON)
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'rolls'").fetchall()[0][0]:
            con.execute("CREATE TABLE rolls (line BIGINT, scheme VARCHAR, component VARCHAR, " + ", ".join(f"{c} VARCHAR" for c in PERSON) + ")")
        # Views, not copies: the registry's rid is its line - 1; intake rows come first, then
        # the roll rows (rids may skip the roll rows without a scheme).
        con.execute(f"CREATE OR REPLACE VIEW r_raw AS SELECT (line - 1)::BIGINT AS rid, person_id AS id, {person} FROM reg")
        offset = self.summary.intake if intake else 0
        intake_rows = f"SELECT (line - 1)::BIGINT AS rid, 'i' || line AS id, {person} FROM intake UNION ALL" if intake else ""
        con.execute(f"""
            CREATE OR REPLACE VIEW l_raw AS
            {intake_rows}
            SELECT ({offset} + line - 1)::BIGINT AS rid, 'r' || line AS id, {person} FROM rolls WHERE scheme IS NOT NULL
        """)
        self.summary.rolls_skipped = int(con.execute("SELECT count(*) FROM rolls WHERE scheme IS NULL").fetchall()[0][0])
        # A screening reads of a roll row only which person holds the scheme: the roll rows whose
        # sure pair has their name and birth date too are settled without a score. Those typed
        # exactly as their person's registry row are found before they are prepared at all.
        self.settled = intake and self.SETTLE_ROLLS
        copies = self.settled and self.SETTLE_COPIES
        self.progress("prepare:registry", self.summary.registry)
        self.linker.sizes["r"] = prepare_in_duckdb(con, "r_raw", "r", query=False, reference=False, keys=False,
                                                   keep=("name",) if copies else ())
        if copies:
            self._settle_copies(offset)
            con.execute("ALTER TABLE r_feat DROP COLUMN raw_name")
            con.execute(f"""
                CREATE OR REPLACE VIEW l_raw AS
                {intake_rows}
                SELECT ({offset} + line - 1)::BIGINT AS rid, 'r' || line AS id, {person} FROM rolls
                WHERE scheme IS NOT NULL AND line NOT IN (SELECT line FROM copies)
            """)
        self.progress("prepare:intake", self.summary.intake)
        self.linker.sizes["l"] = prepare_in_duckdb(con, "l_raw", "l", query=False, reference=False, keys=False)
        if self.linker.sizes["l"] == 0 or self.linker.sizes["r"] == 0:
            return False
        if intake:
            self._release_inputs()
        self.linker.score_link(fuzzy_names=True, settle_from=offset if self.settled else None, rolls_from=offset if intake else None)
        if copies:
            con.execute("INSERT INTO settled SELECT lrid, rrid FROM copies")
            con.execute("DROP TABLE copies")
        self.progress("rank", 0)
        con.execute(f"""
            CREATE OR REPLACE TABLE ranked AS
            SELECT a.id AS left_id, b.id AS right_id, s.rrid, s.weight, s.prob, s.code, s.k FROM (
                SELECT s.lrid, s.rrid, s.code, w.weight, w.prob,
                       row_number() OVER (PARTITION BY s.lrid ORDER BY w.weight DESC, s.rrid) AS k
                FROM scored s JOIN weights w USING (code)
            ) s JOIN l_feat a ON a.rid = s.lrid JOIN r_feat b ON b.rid = s.rrid
            WHERE s.k <= {TOP}
        """)
        return True

    def _release_inputs(self) -> None:
        """Once both sides are prepared, a screening reads of its input rows only the registry
        status (``_registry``), each roll row's scheme and component (``_roll_holdings``) and the
        intake's typed NIK: the rest of the rows as typed, 2.6 million rows of text at 2M people
        (about 320 MiB), is dropped rather than held through the key hits and the comparison,
        where it pushed DuckDB's tables out to its temporary directory. ``reg_status`` keeps the
        registry rows whose status is not *alive* (a few percent); a roll import
        (``resolve_rolls``), which returns the roll rows as typed, keeps everything."""
        con = self.con
        spellings = [r[0] for r in con.execute("SELECT DISTINCT status FROM reg WHERE status IS NOT NULL").fetchall()]
        other = [s for s in spellings if (registry_status(s) or "alive") != "alive"]
        con.execute("CREATE OR REPLACE TABLE reg_status AS SELECT line, status FROM reg WHERE list_contains(?, status)", [other])
        con.execute("CREATE OR REPLACE TABLE roll_scheme AS SELECT line, scheme, component FROM rolls WHERE scheme IS NOT NULL")
        for name in ("l_raw", "r_raw", "reg", "reg_rows", "rolls", "rolls_rows"):
            drop_relation(con, name)
        con.execute("ALTER TABLE roll_scheme RENAME TO rolls")

    def _settle_copies(self, offset: int) -> None:
        """``copies``: the roll rows (line, lrid, rrid) that ``score_link`` would settle, found
        from the rows as typed: a 16-digit NIK that exactly one registry person has, whose
        registry row has the very same name (``raw_name``, kept for this) and birth date (so the
        same normalised name and birth, which must not be empty). Preparing the same text gives
        the same features, so each is the sure pair (``SURE_SQL``) that ``score_link`` settles; rows that only
        normalise alike still go through it (a screening's roll rows are not sampled for
        blocking, ``DuckDBLinker.score_link``'s ``rolls_from``)."""
        self.con.execute(f"""
            CREATE OR REPLACE TABLE copies AS
            SELECT line, ({offset} + line - 1)::INTEGER AS lrid, any_value(rrid) AS rrid FROM (
                SELECT o.line, f.rid AS rrid,
                       {SAME_TEXT} AND f.name <> '' AND f.birth <> 0 AS same
                FROM rolls o JOIN r_feat f ON f.nik = o.nik
                WHERE o.scheme IS NOT NULL AND regexp_full_match(o.nik, '[0-9]{{16}}')
            ) GROUP BY line HAVING count(*) = 1 AND bool_and(same)
        """)

    def _intake_candidates(self) -> list[tuple[int, str, float, float, int]]:
        """(line, person_id, weight, probability, code) of the candidates of each intake row that
        ``decide`` reads: the best, and the others it shows (``Thresholds.shown``); the rest (most
        second and third candidates) need no object. In line order, best first."""
        return self.con.execute(f"""
            SELECT substr(left_id, 2)::BIGINT AS line, right_id, weight, prob, code FROM ranked
            WHERE starts_with(left_id, 'i') AND (k = 1 OR prob >= {float(self.linker.thresholds.shown)}) ORDER BY line, k
        """).fetchall()

    def _roll_link_table(self) -> None:
        """``roll_link``: each roll row's best registry person and status, decided in SQL the way
        ``decide`` does (hundreds of thousands of roll rows need no Python object each)."""
        t = self.linker.thresholds
        # Settled rows (``score_link``): their person, matched, with no score.
        settled = f"""
            UNION ALL SELECT s.lrid::BIGINT - {self.summary.intake} + 1, b.id, s.rrid, NULL, false, 'match'
            FROM settled s JOIN r_feat b ON b.rid = s.rrid
        """ if self.settled else ""
        self.con.execute(f"""
            CREATE OR REPLACE TABLE roll_link AS
            WITH g AS (
                SELECT substr(left_id, 2)::BIGINT AS line,
                       max(CASE WHEN k = 1 THEN right_id END) AS best, max(CASE WHEN k = 1 THEN rrid END) AS best_rid,
                       max(CASE WHEN k = 1 THEN prob END) AS p1,
                       max(CASE WHEN k = 1 THEN weight END) AS w1,
                       max(CASE WHEN k = 2 THEN prob END) AS p2, max(CASE WHEN k = 2 THEN weight END) AS w2
                FROM ranked WHERE starts_with(left_id, 'r') GROUP BY left_id
            )
            SELECT line, best, best_rid, p1 AS score, coalesce(p2 >= {float(t.possible)} AND w1 - w2 < {float(t.margin)}, false) AS ambiguous,
                   CASE WHEN p1 < {float(t.possible)} THEN 'none'
                        WHEN p1 >= {float(t.match)} AND NOT coalesce(p2 >= {float(t.possible)} AND w1 - w2 < {float(t.margin)}, false)
                        THEN 'match' ELSE 'possible' END AS status
            FROM g
            {settled}
        """)

    def _roll_candidates(self) -> list[tuple[int, str, float]]:
        """(line, person_id, score) of every candidate that fits a *possible* roll row."""
        t = self.linker.thresholds
        return [(int(a), str(b), float(c)) for a, b, c in self.con.execute(f"""
            SELECT l.line, r.right_id, r.prob FROM roll_link l JOIN ranked r ON r.left_id = 'r' || l.line
            WHERE l.status = 'possible' AND r.prob >= {float(t.possible)} ORDER BY l.line, r.k
        """).fetchall()]

    def _roll_links(self) -> dict[int, RollLink]:
        """Every roll row's link, with the candidates of possible rows (a roll import keeps them)."""
        self._roll_link_table()
        candidates: dict[int, list[tuple[str, float]]] = {}
        for line, pid, score in self._roll_candidates():
            candidates.setdefault(line, []).append((pid, score))
        return {int(line): RollLink(int(line), Status(status), best, float(score), bool(amb), tuple(candidates.get(int(line), ())))
                for line, best, score, amb, status in self.con.execute(
                    "SELECT line, best, score, ambiguous, status FROM roll_link").fetchall()}

    def _holders(self) -> None:
        """``holders``: the registry people (rid) who may hold a scheme — the person of every
        matched roll row, every candidate that fits a possible one, and the holdings given
        already resolved (the database mode). By rid: 570,000 of them at 2M people are met
        with the registry's rows, and integers join faster than person ids."""
        possible = float(self.linker.thresholds.possible)
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE holders AS
            SELECT best_rid AS rid FROM roll_link WHERE status = 'match'
            UNION SELECT r.rrid FROM roll_link l JOIN ranked r ON r.left_id = 'r' || l.line
                  WHERE l.status = 'possible' AND r.prob >= {possible}
        """)
        if self.known_holdings:
            columnar.store(self.con, "known", {"id": sorted({h.person_id for h in self.known_holdings})}, [("id", "VARCHAR")],
                           temp=True)
            self.con.execute("""
                INSERT INTO holders SELECT f.rid FROM r_feat f JOIN known k USING (id) WHERE f.rid NOT IN (SELECT rid FROM holders)
            """)
            self.con.execute("DROP TABLE known")

    def _registry(self) -> Registry:
        """The registry facts screening reads: the best candidate of every intake row (the only
        person ``Screener`` looks up, and only when the row resolves to them) and the members of
        their families who may hold a scheme (``holders``; a member holding nothing cannot make a
        rule apply); not the whole registry in Python objects."""
        # Only a row resolved to its best candidate (a probability of at least ``match``) looks
        # the person up.
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE wanted AS
            WITH c AS (SELECT DISTINCT rrid FROM ranked
                       WHERE starts_with(left_id, 'i') AND k = 1 AND prob >= {float(self.linker.thresholds.match)}),
                 fam AS (SELECT DISTINCT r.kk FROM r_feat r JOIN c ON c.rrid = r.rid WHERE r.kk <> '')
            SELECT rrid AS rid FROM c
            UNION SELECT f.rid FROM r_feat f JOIN fam USING (kk) WHERE f.rid IN (SELECT rid FROM holders)
        """)
        rows = self.con.execute("""
            SELECT f.id, f.nik, f.kk, coalesce(g.status, '') FROM r_feat f JOIN wanted USING (rid)
            LEFT JOIN reg_status g ON g.line - 1 = f.rid
        """).fetchall()
        statuses: dict[str, str] = {}  # a handful of distinct spellings, looked up once each
        for row in rows:
            if row[3] not in statuses:
                statuses[row[3]] = registry_status(row[3]) or "alive"
        return Registry(RegistryPerson(pid, nik, kk, statuses[status]) for pid, nik, kk, status in rows)

    def _roll_holdings(self, holdings: Holdings) -> None:
        """The holdings screening can meet: those of the people in ``wanted`` (the person each
        intake row may resolve to, and their family), certain or, for possible roll rows, uncertain.
        Reads ``roll_link`` (``_roll_link_table``), which ``run`` has built."""
        counts = dict(self.con.execute("SELECT status, count(*) FROM roll_link GROUP BY status").fetchall())
        self.summary.rolls_resolved = int(counts.get("match", 0))
        self.summary.rolls_uncertain = int(counts.get("possible", 0))
        self.summary.rolls_unresolved = (self.summary.rolls - self.summary.rolls_skipped
                                         - self.summary.rolls_resolved - self.summary.rolls_uncertain)
        certain = self.con.execute("""
            SELECT l.best, o.scheme, coalesce(o.component, '') FROM roll_link l JOIN rolls o USING (line)
            JOIN wanted w ON w.rid = l.best_rid WHERE l.status = 'match'
        """).fetchall()
        codes: dict[str, str] = {}  # a roll's few spellings of its scheme, normalised once each

        def code(scheme: str) -> str:
            return codes.get(scheme) or codes.setdefault(scheme, normalise_code(scheme))

        holdings.extend(Holding(pid, code(scheme), component) for pid, scheme, component in certain)
        uncertain = self.con.execute(f"""
            SELECT c.pid, o.scheme, coalesce(o.component, '') FROM (
                SELECT l.line, r.right_id AS pid, r.rrid FROM roll_link l JOIN ranked r ON r.left_id = 'r' || l.line
                WHERE l.status = 'possible' AND r.prob >= {float(self.linker.thresholds.possible)}
            ) c JOIN rolls o USING (line) JOIN wanted w ON w.rid = c.rrid
        """).fetchall()
        holdings.extend(Holding(pid, code(scheme), component, certain=False) for pid, scheme, component in uncertain)


NOT_FOUND = Resolution(Status.NONE, None, ())


def _resolutions(candidates: list[tuple[int, str, float, float, int]], thresholds: Thresholds) -> dict[int, Resolution]:
    """Each intake row (by line) decided as the online index decides, with its candidates."""
    grouped: dict[int, list[Candidate]] = {}
    for line, right, weight, prob, code in candidates:
        grouped.setdefault(line, []).append(Candidate(right, prob, weight, decode(code)))
    return {line: decide(cands, thresholds) for line, cands in grouped.items()}


def _decide_rows(screener: Screener, rows: list[tuple[int, str | None, str, int]], start: int, end: int,
                 resolutions: dict[int, Resolution], writer: Any) -> Counter[str]:
    """Decide ``rows[start:end]`` in order and write each to ``writer`` (a ``csv.writer``) as
    the intake's data rows ``start + 1`` on; the counts of each decision."""
    counts: Counter[str] = Counter()
    for i, o in enumerate(_outcomes(screener, rows, start, end, resolutions), start=start + 1):
        counts[o.decision.value] += 1
        writer.writerow(decision_row(i, o))
    return counts


def _outcomes(screener: Screener, rows: list[tuple[int, str | None, str, int]], start: int, end: int,
              resolutions: dict[int, Resolution]) -> Iterator[Outcome]:
    """``rows[start:end]`` decided in order (``run`` keeps them, ``_decide_rows`` writes them)."""
    for line, nik, sex, birth in rows[start:end]:
        yield screener.decide(line, Typed.of(nik, sex, birth), resolutions.get(line, NOT_FOUND))


def decision_row(i: int, o: Outcome) -> list[object]:
    """One row of the decisions file (``OUTPUT_HEADER``); ``i`` is the intake's data row."""
    return [i, o.decision.value, ";".join(o.codes), o.person_id, f"{o.score:.4f}", o.explanation]


def _decide_part(screener: Screener, rows: list[tuple[int, str | None, str, int]], split: int, resolutions: dict[int, Resolution],
                 candidates: list[tuple[int, str, float, float, int]], thresholds: Thresholds, part: Path, report: int) -> NoReturn:
    """The child of ``ScreenJob.run_to_file``: replays the first ``split`` rows, decides and
    writes the rest to ``part``, sends the counts of its decisions on ``report`` and exits
    without returning (status 1 on any failure, which the parent then makes good)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child at once; the parent cleans up
        for line, nik, sex, birth in rows[:split]:
            screener.remember(line, Typed.of(nik, sex, birth), resolutions.get(line, NOT_FOUND))
        resolutions = _resolutions(candidates, thresholds)
        with part.open("w", newline="", encoding="utf-8") as f:
            counts = _decide_rows(screener, rows, split, len(rows), resolutions, csv.writer(f))
        with os.fdopen(report, "w", encoding="utf-8") as out:
            json.dump(counts, out)
        status = 0
    finally:
        os._exit(status)


def _collect(child: int, report: int) -> Counter[str] | None:
    """Wait for the child of ``run_to_file``: its counts, or None when it failed."""
    with os.fdopen(report, "r", encoding="utf-8") as f:
        text = f.read()
    _, status = os.waitpid(child, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        return Counter({str(k): int(v) for k, v in json.loads(text).items()})
    except (ValueError, AttributeError):
        return None


@dataclass(frozen=True, slots=True)
class RollLink:
    """Which registry person a roll row is: ``best`` with ``score``; ``candidates`` (id, score)
    that fit well enough to be shown."""

    line: int
    status: Status
    best: str | None
    score: float
    ambiguous: bool
    candidates: tuple[tuple[str, float], ...] = ()


def write_decisions(path: str | Path, outcomes: Sequence[Outcome]) -> None:
    from pendopo.linkage.io import write_csv_atomically

    write_csv_atomically(path, OUTPUT_HEADER, (decision_row(i, o) for i, o in enumerate(outcomes, start=1)))
