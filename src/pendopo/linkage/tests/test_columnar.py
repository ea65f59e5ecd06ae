"""``linkage.columnar`` stores Python columns in DuckDB and reads results back as numpy, the
same values as DuckDB's own ``fetchall``, without pandas or pyarrow; a link job imports neither."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pendopo.linkage import columnar

TEXT = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))
INTS = st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, INTS, st.one_of(st.none(), st.booleans()), st.floats(allow_nan=False)), max_size=40))
def test_columns_go_in_and_come_out_as_they_were(rows: list[tuple[object, ...]]) -> None:
    schema = [("s", "VARCHAR"), ("i", "INTEGER"), ("b", "BOOLEAN"), ("f", "DOUBLE")]
    cols = {name: [r[k] for r in rows] for k, (name, _) in enumerate(schema)}
    con = duckdb.connect()
    columnar.store(con, "t", cols, schema)
    assert con.execute("SELECT * FROM t").fetchall() == rows
    assert [t for _, t, *_ in con.execute("DESCRIBE t").fetchall()] == [t for _, t in schema]
    read: dict[str, list[object]] = {name: [] for name, _ in schema}
    for batch in columnar.batches(con.sql("SELECT * FROM t")):
        for name, values in batch.items():
            missing = np.ma.getmaskarray(values).tolist()
            read[name] += [None if m else v for v, m in zip(np.ma.getdata(values).tolist(), missing, strict=True)]
    assert read == cols


def test_batches_of_a_long_result_keep_their_order_and_their_text() -> None:
    con = duckdb.connect()
    con.execute("""CREATE TABLE t AS SELECT range::INTEGER AS i, range % 3 = 0 AS b, (range % 7)::SMALLINT AS s,
                   CASE WHEN range % 1000 = 0 THEN 'ñama ' || range END AS txt FROM range(300000)""")
    got = list(columnar.batches(con.sql("SELECT * FROM t WHERE i >= 5")))
    assert len(got) > 1  # DuckDB's batches, not one array
    i = np.concatenate([b["i"] for b in got])
    assert i.tolist() == list(range(5, 300000))
    assert np.concatenate([b["b"] for b in got]).tolist() == [k % 3 == 0 for k in range(5, 300000)]
    assert np.concatenate([b["s"] for b in got]).dtype == np.int16
    text = [t for b in got for t in b["txt"].tolist() if t is not None]
    assert text == [f"ñama {k}" for k in range(1000, 300000, 1000)]


def test_numpy_text_is_text() -> None:
    con = duckdb.connect()
    columnar.store(con, "t", {"s": np.array(["satu", "dua"])}, [("s", "VARCHAR")])
    assert con.execute("SELECT s FROM t").fetchall() == [("satu",), ("dua",)]


def test_a_column_of_other_values_than_text_is_refused() -> None:
    with pytest.raises(TypeError, match="int"):
        columnar.column(["a", 3], "VARCHAR")
    with pytest.raises(TypeError, match="unsupported"):
        columnar.column([1], "HUGEINT")


def test_a_link_job_never_imports_pandas_or_pyarrow(tmp_path: Path) -> None:
    """pandas would be about 50 MiB of a job's memory, pyarrow 30 (decision 37): the child refuses
    both imports, and a screening's rows go the same way."""
    from pendopo.testdata.errors import dirty_sample, registry

    reg = registry(400, seed=3)
    head = "id,nik,kk,name,sex,birth_place,birth_date,address,village_code\n"

    def line(pid: str, r: object) -> str:
        cells = [pid] + [str(getattr(r, c) or "").replace(",", " ") for c in
                         ("nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code")]
        return ",".join(cells) + "\n"

    (tmp_path / "r.csv").write_text(head + "".join(line(r.person_id, r) for r in reg), encoding="utf-8")
    (tmp_path / "l.csv").write_text(head + "".join(line(f"L{i}", r) for i, (r, _) in enumerate(dirty_sample(reg, 80, seed=4))),
                                    encoding="utf-8")
    script = textwrap.dedent(f"""
        import builtins, sys
        real = builtins.__import__
        def guard(name, *a, **k):
            if name.split(".")[0] in ("pandas", "pyarrow"):
                raise SystemExit(name + " imported")
            return real(name, *a, **k)
        builtins.__import__ = guard
        from pendopo.linkage.batch import DuckDBLinker
        from pendopo.linkage.io import Mapping
        with DuckDBLinker() as linker:
            linker.load_csv("l", {str(tmp_path / "l.csv")!r}, Mapping(), query=True, reference=False)
            linker.load_csv("r", {str(tmp_path / "r.csv")!r}, Mapping(), query=False, reference=True)
            links = list(linker.link())
        with DuckDBLinker() as linker:
            linker.load_csv("l", {str(tmp_path / "r.csv")!r}, Mapping(), query=True, reference=True)
            clusters = linker.dedupe()
        assert links and clusters
        print("ok", len(links))
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok")
