from __future__ import annotations

import random

from pendopo.linkage.compare import compare
from pendopo.linkage.records import PersonRecord, prepare
from pendopo.linkage.stages import COLUMNS, encode
from pendopo.linkage.vectorised import codes, compare_columns
from pendopo.testdata.errors import dirty_sample, registry


def test_the_vectorised_comparison_gives_exactly_the_scalar_levels() -> None:
    rows = registry(4000, seed=13)
    ref = [prepare(PersonRecord(r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code)) for r in rows]
    dirty = [prepare(PersonRecord("q", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code))
             for r, _ in dirty_sample(rows, 1500, seed=14, outsiders=100)]
    by_id = {f.id: f for f in ref}
    rng = random.Random(15)
    pairs = []
    truth = {}
    for _row, t in dirty_sample(rows, 1500, seed=14, outsiders=100):
        truth.setdefault(len(truth), t)
    for i, q in enumerate(dirty):
        t = truth.get(i)
        if t:
            pairs.append((q, by_id[t]))  # the true person
        pairs.append((q, rng.choice(ref)))  # a random one
        same_village = [f for f in ref[:800] if f.village == q.village]
        if same_village:
            pairs.append((q, rng.choice(same_village)))  # a neighbour
    pairs += [(a, b) for a, b in zip(ref[:300], ref[1:301], strict=True)]  # family members are adjacent
    left = {c: [getattr(a, c) for a, _ in pairs] for c in COLUMNS[1:]}
    right = {c: [getattr(b, c) for _, b in pairs] for c in COLUMNS[1:]}
    got = compare_columns(left, right)
    expected = [compare(a, b) for a, b in pairs]
    mismatches = [(i, tuple(got[i]), expected[i]) for i in range(len(pairs)) if tuple(int(x) for x in got[i]) != expected[i]]
    assert not mismatches, mismatches[:5]
    assert list(codes(got)) == [encode(e) for e in expected]


def test_duckdb_computes_the_same_pair_facts_as_python() -> None:
    import duckdb
    import numpy as np
    import pyarrow as pa

    from pendopo.linkage.vectorised import FACTS_SQL, pair_facts

    rows = registry(1500, seed=16)
    ref = [prepare(PersonRecord(r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code)) for r in rows]
    dirty = [prepare(PersonRecord("q", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code))
             for r, _ in dirty_sample(rows, 600, seed=17, outsiders=60)]
    rng = random.Random(18)
    pairs = [(q, rng.choice(ref)) for q in dirty] + list(zip(ref[:400], ref[1:401], strict=True))
    pairs += [(q, next((f for f in ref if f.nik and q.nik and f.nik[:12] == q.nik[:12]), ref[0])) for q in dirty[:300]]
    # Non-Indonesian records: postcodes as area codes, suburbs as places.
    generic = [prepare(PersonRecord(f"G{i}", f"{1000000 + i % 50}", None, name, None, suburb, "19800512", f"{i} Smith St", code))
               for i, (name, suburb, code) in enumerate([("Maria Gonzalez", "Toorak", "2615"), ("Peter Smith", "Leeds", "2615"),
                                                         ("Maria Gonzales", "Toorak", "2616"), ("Ann Lee", "", "2600")] * 10)]
    pairs += list(zip(generic, generic[1:] + generic[:1], strict=True)) + [(g, rng.choice(ref)) for g in generic]
    left = {c: [getattr(a, c) for a, _ in pairs] for c in COLUMNS[1:]}
    right = {c: [getattr(b, c) for _, b in pairs] for c in COLUMNS[1:]}
    expected = pair_facts(left, right)
    con = duckdb.connect()
    con.register("a_in", pa.table({"i": list(range(len(pairs))), **left}))
    con.register("b_in", pa.table({"i": list(range(len(pairs))), **right}))
    got = con.sql(f"SELECT {FACTS_SQL} FROM a_in a JOIN b_in b USING (i) ORDER BY i").to_arrow_table()
    for name, values in expected.items():
        column = got.column(name).to_pylist()
        assert list(np.asarray(values).tolist()) == column, name


def test_duckdb_preparation_equals_prepare_record_by_record() -> None:
    import duckdb
    import pyarrow as pa

    from pendopo.linkage.blocking import query_keys, reference_keys
    from pendopo.linkage.sqlprep import RAW_COLUMNS, prepare_in_duckdb

    rows = registry(1500, seed=19)
    records = [PersonRecord(r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code) for r in rows]
    records += [PersonRecord(f"Q{i}", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code)
                for i, (r, _) in enumerate(dirty_sample(rows, 800, seed=20, outsiders=80))]
    records += [PersonRecord("X1", "NIK: 3510094512800001 ", "3.51009E+15", "M. Hakam bin Salim", "laki-laki", "Banyuwangi",
                             "12/25/1980", "RT 3 RW 2 Dusun Krajan", "3510092001"),
                PersonRecord("X2", "123456789", None, "Maria Gonzalez", "f", None, "19800512", "12 Smith St", "2615")]
    con = duckdb.connect()
    con.register("raw_in", pa.table({"rid": list(range(len(records))),
                                     **{c: [getattr(r, c) for r in records] for c in RAW_COLUMNS}}))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_in")
    prepare_in_duckdb(con, "raw", "t", query=True, reference=True, hashed=False)
    table = con.sql("SELECT * FROM t_feat ORDER BY rid").to_arrow_table().to_pydict()
    for i, record in enumerate(records):
        expected = prepare(record)
        for column in COLUMNS[1:]:
            assert table[column][i] == getattr(expected, column), (record, column)
    keys = {}
    for name in ("t_refkeys", "t_keys"):
        per_row: dict[int, set[str]] = {}
        for key, rid in con.sql(f"SELECT key, rid FROM {name}").fetchall():
            per_row.setdefault(rid, set()).add(key)
        keys[name] = per_row
    for i, record in enumerate(records):
        f = prepare(record)
        assert keys["t_refkeys"].get(i, set()) == set(reference_keys(f)), record
        assert keys["t_keys"].get(i, set()) == set(query_keys(f)), record


TRICKY_NAMES = ["M. Hakam", "M Hakam", "Siti Aminah, S.Pd.", "H. Ahmad bin Sulaiman", "SITI  AMINAH", " Joko", "Soekarno",
                "Djoko Tjahjono", "Moch Nur", "Nur", "siti", "Muhammad", "Muhammad Ali", "abd rahman", "Ir Joko", "r soeprapto",
                "ST Aminah", "Amin SE", "Ahmad Yani", "Nyai Ratna", "binti", "Aminah Binti Usman", "Se", "Ma Ling", "Yusuf Ma",
                "Achmad", "X", "Muh", "Ibu Siti Ibu", "Zainal Abidin", "Chairul Tanjung", "Nur Siti", "Siti Nur Aminah", "",
                "ÀNDRÉ", "O'Neil", "Siti Nur", "Abdul", "Hj", "Hj Siti", "Siti Hj", "Joko Susilo Bin", "Oemar Bakri", "Nyoman",
                "MUHAMMAD NUR AHMAD", "Kyai Haji Hasyim", "Dr Siti", "Siti dr", "A Rahman", "Rahman A", "Drs", "Bapak Joko",
                # a dotted title before plain words, degrees after them, and what only looks so
                "Hj. Siti Aminah, S.Pd.", "HJ. AMINAH", "Dr. Siti", "dr. Siti Aminah", "R. Soeprapto", "H. Se Aminah",
                "H. M. Hakam", "Hj. Haji Siti", "H. Bin Usman", "Prof. Dr. Ir. Siti", "A. Rahman", "Siti. Aminah",
                "Hj. Aminah binti Usman", "Ny. Siti", "Siti Aminah, S.Pd., M.Pd.", "SITI AMINAH, S.PD.", "Siti,",
                "Siti Aminah, Jl. Mawar", "Siti Aminah,S.Pd.", "Siti, M.", "Aminah, S", "Aminah, 12", "Siti Aminah, S.E, M.M",
                "Siti Aminah , S.Pd.", "Dra. Siti, S.H.", "Hj. Siti, Aminah", "Rahman, A.", "Rahman, Amd.", "H. Muhammad Nur",
                "Hj. Siti Nur", "H. Abdul", "Mbah. Karto", "Siti Aminah, S.Pd. (alm)", "Siti Aminah, S.Pd, bin Usman"]


def test_plain_names_put_together_in_sql_equal_normalise_name() -> None:
    import duckdb
    import pyarrow as pa

    from pendopo.linkage.sqlprep import _map_names, _name

    rows = registry(3000, seed=23)
    names = TRICKY_NAMES + [r.name for r in rows] + [r.name for r, _ in dirty_sample(rows, 3000, seed=24)]
    con = duckdb.connect()
    con.register("raw_in", pa.table({"name": pa.array(names + [None], pa.string())}))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_in")
    table = _map_names(con, "raw")
    got = {r[0]: tuple(r[1:]) for r in con.execute(f"SELECT raw, name, name_sorted, name_phon, first_phon FROM {table}").fetchall()}
    assert set(got) == set(names)
    for name in set(names):
        assert got[name] == _name(name), name
    # A second input's names: only those not met before are made, and the store holds each once.
    con.execute("CREATE TABLE raw2 AS SELECT * FROM (VALUES ('Siti Aminah'), ('Hj. Nur Halimah, S.Pd.'), ('Siti Aminah')) t(name)")
    assert _map_names(con, "raw2") == table
    stored = con.execute(f"SELECT raw, count(*) FROM {table} GROUP BY raw HAVING count(*) > 1").fetchall()
    assert stored == [] and len(con.execute(f"SELECT * FROM {table}").fetchall()) == len(set(names) | {"Siti Aminah", "Hj. Nur Halimah, S.Pd."})
    assert con.execute(f"SELECT name FROM {table} WHERE raw = 'Hj. Nur Halimah, S.Pd.'").fetchall() == [("nur halimah",)]


def test_duckdb_jaro_winkler_is_rapidfuzz_s_as_32_bit_floats() -> None:
    """FACTS_SQL takes the names' Jaro-Winkler similarity from DuckDB, ``pair_facts`` from
    rapidfuzz: the levels' thresholds must see the same numbers (two empty sounds aside)."""
    import duckdb
    import numpy as np
    import pyarrow as pa
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    rng = random.Random(21)
    letters = "abcdeghijklmnoprstuwy  "

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.choice([1, 2, 3, 5, 8, 13, 21, 40, 70]))).strip() or "a"

    a = [word() for _ in range(20_000)]
    b = [x if rng.random() < 0.1 else (x[: rng.randint(0, len(x))] + word()[:3]) if rng.random() < 0.6 else word() for x in a]
    con = duckdb.connect()
    con.register("t", pa.table({"a": a, "b": b}))
    got = np.array([r[0] for r in con.execute("SELECT jaro_winkler_similarity(a, b)::FLOAT FROM t").fetchall()], dtype=np.float32)
    expected = process.cpdist(a, b, scorer=JaroWinkler.similarity, workers=1).astype(np.float32)
    assert (got == expected).all()


def test_hashed_keys_join_the_same_records_as_key_strings() -> None:
    """The batch engine hashes each key's kind and parts without building its string: the query
    and reference rows that share a key are the ones that share a key string, with how many."""
    import duckdb
    import pyarrow as pa

    from pendopo.linkage.sqlprep import RAW_COLUMNS, build_keys, prepare_in_duckdb

    rows = registry(2500, seed=22)
    records = [PersonRecord(r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code) for r in rows]
    records += [PersonRecord(f"Q{i}", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code)
                for i, (r, _) in enumerate(dirty_sample(rows, 1200, seed=23, outsiders=100))]
    con = duckdb.connect()
    con.register("raw_in", pa.table({"rid": list(range(len(records))), **{c: [getattr(r, c) for r in records] for c in RAW_COLUMNS}}))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_in")
    shared = {}
    for hashed in (False, True):
        prepare_in_duckdb(con, "raw", "t", query=False, reference=False, keys=False, hashed=hashed)  # build_keys drops its columns
        build_keys(con, "t", query=True, reference=True, hashed=hashed)
        shared[hashed] = con.execute("""
            SELECT q.rid, r.rid, count(*) FROM t_keys q JOIN t_refkeys r USING (key) WHERE q.rid <> r.rid GROUP BY ALL ORDER BY ALL
        """).fetchall()
    assert len(shared[False]) > 5000
    assert shared[True] == shared[False]


def test_the_batch_engine_estimates_u_in_duckdb_as_from_the_records() -> None:
    """The batch engine compares the u sample's random pairs in DuckDB; ``estimate_u`` on the
    same sample's records (what the Spark engine does) gives the same u."""
    from pendopo.linkage.batch import DuckDBLinker
    from pendopo.linkage.model import estimate_u
    from pendopo.linkage.records import prepare
    from pendopo.linkage.stages import u_sample_step

    rows = registry(3000, seed=31)
    records = [PersonRecord(r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code)
               for r in rows]
    with DuckDBLinker() as linker:
        linker.load("r", records, query=False, reference=True)
        from collections import Counter

        model = linker._estimate(Counter(), dedupe=False)
    # The same sample's records prepared in Python (``sqlprep`` gives the same features, tested
    # elsewhere; the job's own table holds some of them as hashes).
    refs = [prepare(r) for r in records[:: u_sample_step(len(records))]]
    assert len(refs) >= 500
    assert model.u == estimate_u(refs, seed=linker.seed)


def test_dates_looked_up_over_their_span_equal_dates_converted_one_by_one() -> None:
    import datetime as dt

    import numpy as np

    from pendopo.linkage.vectorised import _ymd

    rng = np.random.default_rng(7)
    births = rng.integers(dt.date(1920, 1, 1).toordinal(), dt.date(2026, 12, 31).toordinal(), size=5000)
    older = rng.integers(dt.date(1880, 1, 1).toordinal(), dt.date(1950, 1, 1).toordinal(), size=5000)
    # a span (the calendar made), an older one (the calendar grown), one inside it, a wide one
    # (converted date by date) and one too short to look up
    for ordinals in (births, older, births[:2000], np.concatenate([births, [1, 800_000]]), births[:10]):
        years, months, days = _ymd(ordinals)
        assert [(int(y), int(m), int(d)) for y, m, d in zip(years, months, days, strict=True)] == [
            (x.year, x.month, x.day) for x in map(dt.date.fromordinal, ordinals.tolist())]


def test_nik_pairs_one_digit_apart_in_numpy_as_one_by_one() -> None:
    import numpy as np

    from pendopo.linkage.model import _drawn_one_digit_apart, compare_nik_digits
    from pendopo.linkage.nik import last_digit_variants, transpositions

    def _one_digit_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # pair by pair: a and b's rows
        n = len(a)
        return _drawn_one_digit_apart(np.concatenate([a, b]), np.arange(n), np.arange(n, 2 * n))

    rng = random.Random(41)
    a, b = [], []
    for _ in range(3000):
        x = "".join(rng.choice("0123456789") for _ in range(16))
        kind = rng.randrange(6)
        if kind == 0:
            y = rng.choice(list(transpositions(x)) or [x])
        elif kind == 1:
            y = rng.choice(list(last_digit_variants(x)))
        elif kind == 2:
            y = x
        elif kind == 3:
            y = x[:15]  # another length
        elif kind == 4:
            y = x[:7] + rng.choice("0123456789") + x[8:12] + rng.choice("0123456789") + x[13:]  # two apart
        else:
            y = "NIK" + x[3:] if rng.random() < 0.5 else "é" + x[1:]  # letters; not ASCII
        a.append(x)
        b.append(y)
    got = _one_digit_apart(np.array(a, dtype=object), np.array(b, dtype=object))
    assert got.tolist() == [compare_nik_digits(x, y) == 1 for x, y in zip(a, b, strict=True)]
    assert 0 < got.sum() < len(a)
    # The u sample's drawn pairs: rows of one list of NIKs, compared the same way.
    niks = np.array(a + b, dtype=object)
    draw = np.random.default_rng(5)
    ia, ib = draw.integers(0, len(niks), 4000), draw.integers(0, len(niks), 4000)
    ia = np.concatenate([np.arange(len(a)), ia])
    ib = np.concatenate([np.arange(len(a)) + len(a), ib])
    assert _drawn_one_digit_apart(niks, ia, ib).tolist() == _one_digit_apart(niks[ia], niks[ib]).tolist()


def test_dates_put_together_in_sql_equal_parse_date() -> None:
    """The two common date forms are parsed in SQL with ``parse_date``'s rules: swaps, month
    first, impossible and out-of-range dates, placeholders, separators, as Python does."""
    import datetime as dt

    import duckdb

    from pendopo.linkage.dates import current_date
    from pendopo.linkage.sqlprep import _date, _map_dates

    today = current_date()
    fixed = ["1980-05-12", "1980-12-05", "1980-05-05", "1980-13-05", "1980-25-03", "1980-02-30", "2000-02-29", "1900-02-29",
             "1879-12-31", "1880-01-01", "0000-01-01", "9999-12-31", today.isoformat(), (today + dt.timedelta(days=1)).isoformat(),
             "12-05-1980", "12/05/1980", "12.05.1980", "12-05/1980", "05-05-1980", "31-02-1980", "12/25/1980", "05/13/1980",
             "13/13/1980", "00-05-1980", "01-01-1980", "1980-07-01", "30/06/1990", "31-12-2000", "29-02-2001", "29/02/2004",
             "1980/05/12", "12-5-1980", " 1980-05-12", "19800512", "44000", "1980-05-12 00:00:00", "", "٢٠٢٠-٠١-٠١"]
    rng = random.Random(43)
    generated = []
    for _ in range(3000):
        y, m, d = rng.randint(1860, today.year + 2), rng.randint(0, 14), rng.randint(0, 32)
        generated.append(rng.choice([f"{y:04d}-{m:02d}-{d:02d}", f"{d:02d}-{m:02d}-{y:04d}", f"{d:02d}/{m:02d}/{y:04d}"]))
    values = fixed + generated
    con = duckdb.connect()
    con.execute("CREATE TABLE raw (birth_date VARCHAR)")
    con.executemany("INSERT INTO raw VALUES (?)", [[v] for v in values])
    _map_dates(con, "raw")
    got = {raw: (int(b), int(s), bool(p)) for raw, b, s, p in con.execute("SELECT * FROM m_date").fetchall()}
    assert set(got) == set(values)
    wrong = [(v, got[v], _date(v)) for v in values if got[v] != _date(v)]
    assert not wrong, wrong[:5]
