"""Preparing records and their blocking keys inside DuckDB, for the batch engine.

Python's normalisers stay the single definition of what a name, date or address means; they
run once per *distinct* raw value (a regency has a few hundred thousand distinct names among
millions of people, and far fewer distinct dates and addresses), and DuckDB joins the results
back to the rows. Values that are already clean (a 16-digit NIK or KK, a dotted village code)
take a fast path in SQL that gives exactly what the Python function would. Blocking keys are
built in SQL from the same recipe as ``blocking.py``. Tests check both against ``prepare``,
``reference_keys`` and ``query_keys`` record by record.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import duckdb

from pendopo.linkage import columnar
from pendopo.linkage.address import normalise_village_code
from pendopo.linkage.dates import EARLIEST, PLACEHOLDERS, current_date, parse_date
from pendopo.linkage.names import (
    CANONICAL,
    DEGREE,
    PATRONYMIC,
    PREFIX_TITLES,
    clean_text,
    modernise,
    normalise_name,
    only_degrees,
    phonetic_key,
)
from pendopo.linkage.nik import clean_digits, parse_nik
from pendopo.linkage.records import (
    PersonRecord,
    _address,
    _generic_code,
    _generic_identifier,
    normalise_sex,
)

RAW_COLUMNS = ("id", "nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code")


PARALLEL_FROM = 40_000  # distinct values; below this, starting worker processes costs more than it saves


def _apply(fn: Callable[[str], tuple[Any, ...]], values: list[str]) -> list[tuple[Any, ...]]:
    return [fn(v) for v in values]


def _map(con: duckdb.DuckDBPyConnection, raw: str, column: str, name: str, schema: columnar.Schema,
         fn: Callable[[str], tuple[Any, ...]], where: str = "") -> None:
    values = [r[0] for r in con.execute(
        f"SELECT DISTINCT {column} FROM {raw} WHERE {column} IS NOT NULL {where}"  # noqa: S608 - own names
    ).fetchall()]
    _map_values(con, values, name, schema, fn)


def _map_values(con: duckdb.DuckDBPyConnection, values: list[str], name: str, schema: columnar.Schema,
                fn: Callable[[str], tuple[Any, ...]]) -> None:
    """``name``: each of ``values`` (as ``raw``) beside what ``fn`` makes of it."""
    workers = int(os.environ.get("PENDOPO_LINK_WORKERS", "0")) or os.cpu_count() or 1
    if len(values) >= PARALLEL_FROM and workers > 1 and sys.platform == "linux":
        # Normalising hundreds of thousands of distinct names is the slowest step on a
        # regency's registry: spread it over the cores. Forked workers run pure Python on
        # their copy of the values and never touch DuckDB (PENDOPO_LINK_WORKERS=1 turns it off).
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        size = -(-len(values) // workers)
        parts = [values[i : i + size] for i in range(0, len(values), size)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            rows = [row for part in pool.map(_apply, [fn] * len(parts), parts) for row in part]
    else:
        rows = _apply(fn, values)
    data: dict[str, list[Any]] = {"raw": values}
    for i, (col, _) in enumerate(schema):
        data[col] = [r[i] for r in rows]
    columnar.store(con, name, data, [("raw", "VARCHAR"), *schema], temp=True)


RAW_SCHEMA = [("rid", "BIGINT")] + [(c, "VARCHAR") for c in RAW_COLUMNS]
RAW_CHUNK = 50_000


def drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the table or view ``name`` if there is one (DuckDB refuses DROP VIEW on a table)."""
    for (kind,) in con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]).fetchall():
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {name}")


def records_to_raw(con: duckdb.DuckDBPyConnection, raw: str, records: Iterable[PersonRecord],
                   progress: Callable[[int], None] | None = None) -> int:
    """Store records as the raw VARCHAR table ``prepare_in_duckdb`` reads. Cells that are not
    text (XLSX numbers and dates) become text through ``str``, as the normalisers see them."""
    drop_relation(con, raw)
    con.execute(f"CREATE TABLE {raw} (rid BIGINT, " + ", ".join(f"{c} VARCHAR" for c in RAW_COLUMNS) + ")")
    columns: dict[str, list[Any]] = {c: [] for c in ("rid", *RAW_COLUMNS)}
    rid = 0

    def flush() -> None:
        if not columns["rid"]:
            return
        columnar.store(con, raw, columns, RAW_SCHEMA, insert=True)
        for values in columns.values():
            values.clear()
        if progress:
            progress(rid)

    for record in records:
        columns["rid"].append(rid)
        for c in RAW_COLUMNS:
            value = getattr(record, c)
            columns[c].append(None if value is None else (value if isinstance(value, str) else str(value)))
        rid += 1
        if rid % RAW_CHUNK == 0:
            flush()
    flush()
    return rid


def _name(raw: str) -> tuple[str, str, str, str]:
    n = normalise_name(raw)
    return n.text, n.sorted_key, n.phonetic_text, n.first_phonetic


# A name of plain words (ASCII letters, single spaces): most of a registry. Such a name is its
# words normalised one by one, unless a word is a title, a patronymic, a degree or a single
# letter, whose meaning depends on where it stands; those names go through ``normalise_name``.
# So does a name of plain words after one dotted title ("Hj. ") that ``normalise_name`` drops,
# or before a comma and degrees (", S.Pd.") that it drops: its plain words are the name (a 2M
# registry has 68,000 such rows, 26,000 distinct names: half a second through ``normalise_name``).
# Groups: the title without its dot, the plain words, the comma and what follows.
_TITLED_NAME = "(?:([A-Za-z]+)\\. )?([A-Za-z]+(?: [A-Za-z]+)*)(,[ -~]*)?"
_LEADING_COMMON = ("muhammad", "abdul", "nur", "siti", "ahmad")  # as NormalName.first_phonetic


def _word(word: str) -> tuple[bool, str, str]:
    """(plain, token, sound key) of one lower-case word, as ``normalise_name`` treats it."""
    plain = len(word) > 1 and word not in PREFIX_TITLES and word not in PATRONYMIC and not DEGREE.match(word)
    token = modernise(word)
    token = CANONICAL.get(token, CANONICAL.get(word, token))
    return plain, token, phonetic_key(token)


def _only_degrees(tail: str) -> bool:
    """Whether ``normalise_name`` drops a name's ``tail`` (its first comma and what follows) as
    the degrees after the name (``names.only_degrees``)."""
    return only_degrees(clean_text(tail)[1:])


def _map_names(con: duckdb.DuckDBPyConnection, raw: str, hashed: bool = False) -> str:
    """The name of the table holding every distinct name of ``raw`` with ``_name``'s four values
    (``hashed``: some as hashes, see below), ``last_phon`` and ``sorted_phon``. Plain names, also
    after a dotted title or before degrees (``_TITLED_NAME``), are put together in SQL from their
    distinct words (tens of thousands, normalised in Python once each); the rest, names with
    other titles, initials, punctuation, go through ``normalise_name``. A test keeps the two
    equal.

    The table is the connection's store of names met so far, kept for its next inputs: a link's
    query side then makes only the names the reference lacks (at 2M people, 33,000 of its
    77,000 distinct names)."""
    s = "VARCHAR"
    names = _name_store(hashed)
    sound = "UBIGINT" if hashed else s
    con.execute(f"""
        CREATE TEMP TABLE IF NOT EXISTS {names} (raw VARCHAR, name VARCHAR, name_sorted {sound}, name_phon VARCHAR,
                                                first_phon {sound}, last_phon {sound}, sorted_phon {sound})
    """)
    pattern = f"^{_TITLED_NAME}$"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE nm_all AS
        SELECT raw, regexp_extract(raw, '{pattern}', 1) AS title, regexp_extract(raw, '{pattern}', 2) AS body,
               regexp_extract(raw, '{pattern}', 3) AS tail
        FROM (SELECT DISTINCT name AS raw FROM {raw} WHERE name IS NOT NULL AND name NOT IN (SELECT raw FROM {names}))
    """)  # noqa: S608 - own names
    # Whether a title is one ``normalise_name`` drops, a tail only degrees: asked of Python once
    # per distinct title and tail (a few dozen).
    titles = [r[0] for r in con.execute("SELECT DISTINCT title FROM nm_all WHERE title <> ''").fetchall()]
    tails = [r[0] for r in con.execute("SELECT DISTINCT tail FROM nm_all WHERE tail <> ''").fetchall()]
    dropped = [t for t in titles if t.lower() in PREFIX_TITLES] + [t for t in tails if _only_degrees(t)]
    columnar.store(con, "nm_dropped", {"part": dropped}, [("part", s)], temp=True)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE nm_words AS
        SELECT raw, unnest(ws) AS w, generate_subscripts(ws, 1) AS pos
        FROM (SELECT raw, string_split(lower(body), ' ') AS ws FROM nm_all
              WHERE body <> '' AND (title = '' OR title IN (SELECT part FROM nm_dropped))
                AND (tail = '' OR tail IN (SELECT part FROM nm_dropped)))
    """)
    words = [r[0] for r in con.execute("SELECT DISTINCT w FROM nm_words").fetchall()]
    _map_values(con, words, "m_word", [("plain", "BOOLEAN"), ("token", s), ("phon", s)], _word)
    common = ", ".join(f"'{w}'" for w in _LEADING_COMMON)
    # Each name's words sorted once as a list of (position, token, sound): ordered aggregates
    # (``string_agg(... ORDER BY pos)``, one sort per aggregate and name) took 2.5 times as long.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE m_name_plain AS
        SELECT raw, array_to_string(list_transform(ws, lambda x: x.token), ' ') AS name,
               array_to_string(list_sort(list_transform(ws, lambda x: x.token)), ' ') AS name_sorted,
               array_to_string(list_transform(ws, lambda x: x.phon), ' ') AS name_phon,
               CASE WHEN len(ws) = 1 THEN ws[1].phon
                    ELSE coalesce(list_filter(ws, lambda x: x.token NOT IN ({common}))[1].phon, ws[1].phon) END AS first_phon
        FROM (SELECT nm_words.raw AS raw, list_sort(list(struct_pack(pos := pos, token := token, phon := phon))) AS ws
              FROM nm_words JOIN m_word ON m_word.raw = nm_words.w
              GROUP BY nm_words.raw HAVING bool_and(plain))
    """)
    rest = [r[0] for r in con.execute("SELECT raw FROM nm_all WHERE raw NOT IN (SELECT raw FROM m_name_plain)").fetchall()]
    _map_values(con, rest, "m_name_rest", [("name", s), ("name_sorted", s), ("name_phon", s), ("first_phon", s)], _name)
    # The sound keys blocking reads besides (``blocking.py``'s last and sorted sounds), made per
    # distinct name here rather than per record when keys are built. With ``hashed``, what is
    # only ever compared whole (the sorted name; the first, last and sorted sounds, which go
    # into hashed keys) is kept as its 64-bit hash (``_sound``).
    last, ordered = "string_split(name_phon, ' ')[-1]", "array_to_string(list_sort(string_split(name_phon, ' ')), ' ')"
    con.execute(f"""
        INSERT INTO {names}
        SELECT raw, name, {_sound('name_sorted', hashed)} AS name_sorted, name_phon, {_sound('first_phon', hashed)} AS first_phon,
               {_sound(last, hashed)} AS last_phon, {_sound(ordered, hashed)} AS sorted_phon
        FROM (SELECT * FROM m_name_plain UNION ALL SELECT * FROM m_name_rest)
    """)
    con.execute("DROP TABLE nm_all; DROP TABLE nm_dropped; DROP TABLE nm_words; DROP TABLE m_word; DROP TABLE m_name_plain; DROP TABLE m_name_rest")
    return names


def _name_store(hashed: bool) -> str:
    """The table of the names ``_map_names`` has made on a connection, with ``hashed`` or not."""
    return f"name_store_{'hashed' if hashed else 'text'}"


def drop_name_store(con: duckdb.DuckDBPyConnection) -> None:
    """Free the names ``_map_names`` keeps for a connection's next inputs, once none will come
    (a job's scoring): tens of MiB at 2M people."""
    for hashed in (True, False):
        con.execute(f"DROP TABLE IF EXISTS {_name_store(hashed)}")


def _date(raw: str) -> tuple[int, int, bool]:
    d = parse_date(raw)
    return (d.date.toordinal() if d.date else 0, d.swapped.toordinal() if d.swapped else 0, d.is_placeholder)


# Dates in the two forms most files use, YYYY-MM-DD and DD-MM-YYYY (or DD/MM/YYYY), with two-digit
# days and months: put together in SQL as ``parse_date`` does (a tested copy of its rules), the
# rest parsed in Python. A roll and intake of 700,000 rows have 106,000 distinct dates.
_ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DMY_DATE = "[0-9]{2}[-/.][0-9]{2}[-/.][0-9]{4}"


def _map_dates(con: duckdb.DuckDBPyConnection, raw: str) -> None:
    """``m_date``: every distinct birth date with ``_date``'s three values."""
    i, b = "BIGINT", "BOOLEAN"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE m_date_all AS
        SELECT raw, regexp_full_match(raw, '{_ISO_DATE}') AS iso, iso OR regexp_full_match(raw, '{_DMY_DATE}') AS fast
        FROM (SELECT DISTINCT birth_date AS raw FROM {raw} WHERE birth_date IS NOT NULL)
    """)  # noqa: S608 - own names
    rest = [r[0] for r in con.execute("SELECT raw FROM m_date_all WHERE NOT fast").fetchall()]
    _map_values(con, rest, "m_date_rest", [("birth", i), ("birth_swapped", i), ("placeholder", b)], _date)
    today = current_date().isoformat()

    def bounded(date: str) -> str:
        return f"CASE WHEN {date} BETWEEN DATE '{EARLIEST.isoformat()}' AND DATE '{today}' THEN {date} END"

    def ordinal(date: str) -> str:
        return f"coalesce(({date} - DATE '0001-01-01') + 1, 0)"

    placeholders = " OR ".join(f"(month(d) = {m} AND day(d) = {d})" for m, d in sorted(PLACEHOLDERS))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE m_date AS
        SELECT raw, {ordinal('d')} AS birth, {ordinal('s')} AS birth_swapped, coalesce({placeholders}, false) AS placeholder
        FROM (
            SELECT raw, {bounded('d')} AS d, {bounded('s')} AS s FROM (
                SELECT raw, CASE WHEN d IS NULL AND iso THEN s WHEN d IS NULL THEN try(make_date(y, dd, mo)) ELSE d END AS d,
                       CASE WHEN d IS NULL THEN NULL ELSE s END AS s
                FROM (
                    SELECT raw, iso, y, mo, dd, try(make_date(y, mo, dd)) AS d,
                           CASE WHEN dd <= 12 AND dd <> mo AND (iso OR mo <= 12) THEN try(make_date(y, dd, mo)) END AS s
                    FROM (
                        SELECT raw, iso,
                               CASE WHEN iso THEN substr(raw, 1, 4) ELSE substr(raw, 7, 4) END::INTEGER AS y,
                               CASE WHEN iso THEN substr(raw, 6, 2) ELSE substr(raw, 4, 2) END::INTEGER AS mo,
                               CASE WHEN iso THEN substr(raw, 9, 2) ELSE substr(raw, 1, 2) END::INTEGER AS dd
                        FROM m_date_all WHERE fast))))
        UNION ALL SELECT * FROM m_date_rest
    """)
    con.execute("DROP TABLE m_date_rest; DROP TABLE m_date_all")


def _addr(raw: str) -> tuple[str, int, int]:
    a = _address(raw)
    return a.dusun, a.rt if a.rt is not None else -1, a.rw if a.rw is not None else -1


def _sex(raw: str) -> tuple[str]:
    return (normalise_sex(raw),)


def _place(raw: str) -> tuple[str]:
    words = str(raw or "").lower().split()
    return (phonetic_key(words[0]) if words and words[0].isalpha() else "",)


def _nik(raw: str) -> tuple[str]:
    parsed = parse_nik(raw)
    return (parsed.digits or _generic_identifier(raw, parsed.issues),)


def _kk(raw: str) -> tuple[str]:
    digits, _, _ = clean_digits(raw)
    return (digits if len(digits) == 16 and digits.isdigit() else "",)


def _village(raw: str) -> tuple[str]:
    return (normalise_village_code(raw) or _generic_code(raw),)


def prepare_in_duckdb(con: duckdb.DuckDBPyConnection, raw: str, side: str, *, query: bool, reference: bool,
                      hashed: bool = True, keys: bool = True, keep: Sequence[str] = ()) -> int:
    """From ``raw`` (rid BIGINT plus the VARCHAR person columns) build ``{side}_feat`` and, with
    ``keys``, the key tables ``{side}_keys`` (query keys, with repairs) and ``{side}_refkeys``
    (without, the caller builds them later with ``build_keys``). ``keep``: columns of ``raw``
    carried as they are, as ``raw_{column}`` (for a caller that compares the rows as typed; it
    drops them when done). ``hashed``: the keys are hashes, and so are the key columns; a later
    ``build_keys`` takes the same ``hashed``."""
    s, i = "VARCHAR", "BIGINT"
    names = _map_names(con, raw, hashed)
    _map_dates(con, raw)
    _map(con, raw, "address", "m_addr", [("dusun", s), ("rt", i), ("rw", i)], _addr)
    _map(con, raw, "sex", "m_sex", [("sex", s)], _sex)
    _map(con, raw, "birth_place", "m_place", [("place", s)], _place)
    _map(con, raw, "village_code", "m_village", [("village", s)], _village,
         "AND NOT regexp_full_match(village_code, '[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}\\.[0-9]{4}')")
    _map(con, raw, "nik", "m_nik", [("nik", s)], _nik, "AND NOT regexp_full_match(nik, '[0-9]{16}')")
    _map(con, raw, "kk", "m_kk", [("kk", s)], _kk, "AND NOT regexp_full_match(kk, '[0-9]{16}')")
    # Every value the NIK, KK and village maps lack is NULL or already in its standard form (the
    # maps hold every other distinct value): the join says which, and the two million rows are
    # not matched against the patterns again (0.3-0.5 s of 1.6-2.0 s at 2M).
    # Besides the features (``batch.FEATURE_SCHEMA``), what blocking keys are made of:
    # ``last_phon`` and ``sorted_phon`` (``KEY_COLUMNS``). With ``hashed`` these, the sorted name
    # and the first sound are hashes (``_map_names``): 8 bytes a row each instead of 16 and more
    # (a 200k registry's features 48 -> 41 MB while they are made beside the rows as read, the
    # job's peak; decision 37).
    kept = "".join(f", r.{c} AS raw_{c}" for c in keep)
    none = _sound("''", hashed)  # no name
    con.execute(f"""
        CREATE OR REPLACE TABLE {side}_feat AS
        SELECT * FROM (
        SELECT r.rid::INTEGER AS rid, r.id,
               CASE WHEN mn.raw IS NULL THEN coalesce(r.nik, '') ELSE coalesce(mn.nik, '') END AS nik,
               CASE WHEN mk.raw IS NULL THEN coalesce(r.kk, '') ELSE coalesce(mk.kk, '') END AS kk,
               coalesce(nm.name, '') AS name, coalesce(nm.name_sorted, {none}) AS name_sorted,
               coalesce(nm.name_phon, '') AS name_phon, coalesce(nm.first_phon, {none}) AS first_phon,
               coalesce(d.birth, 0)::INTEGER AS birth, coalesce(d.birth_swapped, 0)::INTEGER AS birth_swapped,
               coalesce(d.placeholder, false) AS placeholder, coalesce(sx.sex, '') AS sex,
               CASE WHEN v.raw IS NULL THEN coalesce(r.village_code, '') ELSE coalesce(v.village, '') END AS village,
               coalesce(pl.place, '') AS place, coalesce(a.dusun, '') AS dusun,
               coalesce(a.rt, -1)::SMALLINT AS rt, coalesce(a.rw, -1)::SMALLINT AS rw,
               coalesce(nm.last_phon, {none}) AS last_phon, coalesce(nm.sorted_phon, {none}) AS sorted_phon{kept}
        FROM {raw} r
        LEFT JOIN {names} nm ON nm.raw = r.name LEFT JOIN m_date d ON d.raw = r.birth_date
        LEFT JOIN m_addr a ON a.raw = r.address LEFT JOIN m_sex sx ON sx.raw = r.sex
        LEFT JOIN m_place pl ON pl.raw = r.birth_place LEFT JOIN m_village v ON v.raw = r.village_code
        LEFT JOIN m_nik mn ON mn.raw = r.nik LEFT JOIN m_kk mk ON mk.raw = r.kk)
    """)  # noqa: S608
    # The value maps are done with (but the names, ``_map_names``): in the job's in-memory
    # database they would hold their memory to the end (a 200k registry's maps are tens of MiB).
    for table in ("m_date", "m_addr", "m_sex", "m_place", "m_village", "m_nik", "m_kk"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    if keys:
        build_keys(con, side, query=query, reference=reference, hashed=hashed)
    n = con.execute(f"SELECT count(*) FROM {side}_feat").fetchall()  # noqa: S608
    return int(n[0][0]) if n else 0


HAS_NIK = "length(nik) = 16"
# A hashed key's kind (``_k``) is its top bits: a key is the kind's number shifted up by
# KIND_SHIFT, above 59 bits of hash. The letters are ``blocking.py``'s.
KINDS = "nrhstkvbwdpy"
KIND_SHIFT = 59
_KIND_TAG = re.compile(r"\| (\d+)::UBIGINT\)")  # how ``_k`` writes the kind into a key
KEY_COLUMNS = ("last_phon", "sorted_phon")  # what ``{side}_feat`` holds for ``build_keys`` only
# The kecamatan of a Kemendagri village code ('35.10.01.2001' -> '35.10.01'), or ''.
KEC = "(CASE WHEN village LIKE '__.__.__.____' THEN substr(village, 1, 8) ELSE '' END)"


def _sound(value: str, hashed: bool) -> str:
    """A name sound as ``{side}_feat``'s key columns hold it: with ``hashed`` its 64-bit hash
    (the keys it goes into are hashes anyway, ``_k``), else the string."""
    return f"hash({value})" if hashed else value


def _k(kind: str, *parts: str, hashed: bool) -> str:
    """One key of the recipe: the string ``kind`` + the parts joined by ``|`` (as ``blocking.py``
    writes them), or with ``hashed`` a 64-bit hash. A key of several parts hashes the kind and
    the parts as they are, building no string (half the time of making two million records'
    keys). A key of one part, a NIK or KK or a piece of one, hashes its string: DuckDB's hash of
    a 16-character string is weak (two NIKs differing in their 8th and 16th digits often
    collide: 50,000 of 8.2 million distinct keys of a 2M registry), and the kind letter in front
    avoids that. Query and reference keys are made the same way, so they meet in either form."""
    if not hashed:
        return f"'{kind}' || " + " || '|' || ".join(parts)
    if len(parts) > 1:
        value = f"hash('{kind}', {', '.join(parts)})"
    else:
        value = f"hash('{kind}' || {parts[0]})"
    # The top bits say the key's kind: a reference keeps only keys some query row has, and
    # checked kind by kind each check looks in a set small enough to stay in the processor's
    # cache (``build_keys``).
    return f"(({value} & {2**KIND_SHIFT - 1}::UBIGINT) | {KINDS.index(kind) << KIND_SHIFT}::UBIGINT)"


def _kinds(expr: str) -> list[int]:
    """The kinds (numbers) of the hashed keys an expression of ``_reference`` makes."""
    return sorted({int(tag) >> KIND_SHIFT for tag in _KIND_TAG.findall(expr)})


def _reference(hashed: bool) -> list[str]:
    """The recipe of blocking.reference_keys, in SQL: one expression per key, NULL where it does
    not apply. Read from ``{side}_feat`` (with its ``last_phon`` and ``sorted_phon``; these and
    ``first_phon`` are hashes when ``hashed``, ``_map_names``)."""
    def k(kind: str, *parts: str) -> str:
        return _k(kind, *parts, hashed=hashed)

    none = _sound("''", hashed)  # no name
    kec = KEC
    area = f"CASE WHEN {kec} <> '' THEN {kec} ELSE village END"
    year = "year(DATE '0001-01-01' + (birth - 1))"
    return [
        f"CASE WHEN nik <> '' THEN {k('n', 'nik')} END",
        f"CASE WHEN {HAS_NIK} THEN {k('r', 'substr(nik, 1, 12)')} WHEN nik <> '' THEN {k('h', 'substr(nik, 1, length(nik) // 2)')} END",
        f"CASE WHEN {HAS_NIK} THEN {k('s', 'substr(nik, 7)')} WHEN nik <> '' THEN {k('t', 'substr(nik, length(nik) // 2 + 1)')} END",
        f"CASE WHEN kk <> '' THEN {k('k', 'kk')} END",
        f"CASE WHEN village <> '' AND first_phon <> {none} THEN {k('v', 'village', 'first_phon')} END",
        f"CASE WHEN village <> '' AND birth <> 0 THEN {k('b', 'village', 'birth')} END",
        f"CASE WHEN village <> '' AND {kec} = '' AND contains(name_phon, ' ') THEN {k('w', 'village', 'last_phon')} END",
        f"CASE WHEN birth <> 0 AND first_phon <> {none} THEN {k('d', 'birth', 'first_phon')} END",
        f"CASE WHEN birth <> 0 AND name_phon <> '' AND last_phon <> first_phon THEN {k('d', 'birth', 'last_phon')} END",
        f"CASE WHEN name_phon <> '' AND village <> '' THEN {k('p', area, 'sorted_phon')} END",
        f"CASE WHEN name_phon <> '' AND birth <> 0 THEN {k('y', year, 'sorted_phon')} END",
        f"CASE WHEN name_phon <> '' AND place <> '' AND {kec} = '' THEN {k('t', 'place', 'sorted_phon')} END",
    ]


def _query_extra(hashed: bool, feat: str) -> str:
    """What blocking.query_keys adds to the reference keys of the rows of ``feat``: the NIK's
    repairs and the swapped birth date, as a query of (rid, key) rows. The repairs are rows of
    the features joined with the positions they change, not lists made per row (the 47,800 rows
    a 2M link blocks: 0.27-0.33 s against 0.46-0.49 s)."""
    def k(kind: str, *parts: str) -> str:
        return _k(kind, *parts, hashed=hashed)

    swapped = k("n", "substr(nik, 1, i - 1) || substr(nik, i + 1, 1) || substr(nik, i, 1) || substr(nik, i + 2)")
    nik_from_birth = ("substr(village, 1, 2) || substr(village, 4, 2) || substr(village, 7, 2)"
                      " || lpad((day(DATE '0001-01-01' + (birth - 1)) + CASE WHEN sex = 'P' THEN 40 ELSE 0 END)::VARCHAR, 2, '0')"
                      " || lpad(month(DATE '0001-01-01' + (birth - 1))::VARCHAR, 2, '0')"
                      " || lpad((year(DATE '0001-01-01' + (birth - 1)) % 100)::VARCHAR, 2, '0')")
    none = _sound("''", hashed)  # no name
    single = [
        f"CASE WHEN {HAS_NIK} THEN {k('k', 'nik')} END",
        f"CASE WHEN kk <> '' THEN {k('n', 'kk')} END",
        f"CASE WHEN birth_swapped <> 0 AND village <> '' THEN {k('b', 'village', 'birth_swapped')} END",
        f"CASE WHEN birth_swapped <> 0 AND first_phon <> {none} THEN {k('d', 'birth_swapped', 'first_phon')} END",
        f"CASE WHEN {KEC} <> '' AND birth <> 0 AND sex <> '' THEN {k('r', nik_from_birth)} END",
    ]
    return f"""
        SELECT rid, unnest(list_value({', '.join([*_reference(hashed), *single])})) AS key FROM {feat}
        UNION ALL
        SELECT rid, {swapped} AS key FROM (SELECT rid, nik, unnest(range(1, length(nik))) AS i FROM {feat} WHERE nik <> '')
        WHERE substr(nik, i, 1) <> substr(nik, i + 1, 1)
        UNION ALL
        SELECT rid, {k('n', "substr(nik, 1, 15) || dgt::VARCHAR")} AS key FROM {feat}, range(10) digits(dgt)
        WHERE {HAS_NIK} AND dgt::VARCHAR <> substr(nik, 16, 1)
    """  # noqa: S608 - own names


def build_keys(con: duckdb.DuckDBPyConnection, side: str, *, query: bool, reference: bool, hashed: bool = True,
               where: str = "", keys_in: str = "") -> None:
    """The key tables ``{side}_keys`` and ``{side}_refkeys`` of ``{side}_feat``: only of its rows
    matching ``where`` (an SQL condition) and only the keys found in the table ``keys_in``, when
    given (a reference keeps just the keys some query row has; a key's count stays exact).

    Key tables hold a 64-bit hash of each key (``_k``): joins on integers are several times
    faster than on strings and take a third of the memory. (A collision only adds a candidate
    pair, which the comparison then rejects.) ``hashed=False`` gives the key strings of
    ``blocking.py`` instead; a test checks that both forms join the same records.

    A record's reference keys are all different: each kind of key is one scan of the features
    (twelve scans of two million rows took 1.0 s against 2.2 s for a list of keys per record
    unnested). Query keys may repeat within a record (the NIK's prefix and the one its birth
    date gives are often the same), so their (key, rid) rows are made distinct."""
    feat = f"(SELECT * FROM {side}_feat{f' WHERE {where}' if where else ''})"
    present = f" AND key IN (SELECT key FROM {keys_in})" if keys_in else ""
    for table, wanted in (("refkeys", reference), ("keys", query)):
        con.execute(f"CREATE OR REPLACE TABLE {side}_{table} (key {'UBIGINT' if hashed else 'VARCHAR'}, rid INTEGER)")
        if not wanted:
            continue
        if table == "refkeys" and keys_in and hashed:
            # Each kind's keys against the query side's keys of that kind (the top bits, ``_k``):
            # a set of tens of thousands stays in the processor's cache where one of all the
            # query keys did not (24 million reference keys of a 2M registry checked: 0.67-0.76 s
            # against 0.83-0.95 for the NIK keys and all others in two sets).
            selects = []
            for expr in _reference(hashed):
                kinds = _kinds(expr)
                assert kinds, expr  # every hashed key carries its kind
                selects.append(f"""
                    SELECT key, rid FROM (SELECT rid, {expr} AS key FROM {feat})
                    WHERE key IN (SELECT key FROM {keys_in} WHERE key >> {KIND_SHIFT} IN ({", ".join(map(str, kinds))}))
                """)  # noqa: S608 - own names
            con.execute(f"INSERT INTO {side}_{table} {' UNION ALL '.join(selects)}")
            continue
        if table == "refkeys":
            rows = " UNION ALL ".join(f"SELECT rid, {expr} AS key FROM {feat}" for expr in _reference(hashed))
            distinct = ""
        else:
            rows, distinct = _query_extra(hashed, feat), "DISTINCT "
        con.execute(f"""
            INSERT INTO {side}_{table} SELECT {distinct}key, rid FROM ({rows}) WHERE key IS NOT NULL{present}
        """)  # noqa: S608 - own names
    # Only keys are made of these: dropped (at once, the rows are not rewritten), they stop
    # holding memory the ranking of key hits needs (a 10-million-row link ran out of it).
    for column in KEY_COLUMNS:
        con.execute(f"ALTER TABLE {side}_feat DROP COLUMN IF EXISTS {column}")
