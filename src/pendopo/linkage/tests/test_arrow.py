"""``linkage.arrow`` builds the same arrays as ``pyarrow.array`` and reads the same numpy values
as ``to_numpy``, without pandas; a link job never imports pandas."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pendopo.linkage import arrow

TEXT = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT, max_size=60))
def test_strings_equal_pyarrow_s(values: list[str | None]) -> None:
    got = arrow.strings(values)
    got.validate(full=True)
    assert got.equals(pa.array(values, pa.string()))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=60),
       st.lists(st.one_of(st.none(), st.booleans()), max_size=60),
       st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), max_size=60))
def test_numbers_and_booleans_equal_pyarrow_s(ints: list[int | None], bools: list[bool | None], floats: list[float | None]) -> None:
    for values, kind in ((ints, pa.int64()), (bools, pa.bool_()), (floats, pa.float64())):
        got = arrow.column(values, kind)
        got.validate(full=True)
        assert got.equals(pa.array(values, kind))
    dense = np.array([v or 0 for v in ints], dtype=np.int64)
    assert arrow.column(dense, pa.int64()).equals(pa.array(dense, pa.int64()))
    assert arrow.column(range(3, 9), pa.int64()).to_pylist() == list(range(3, 9))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=80), st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=80),
       st.integers(0, 40))
def test_to_numpy_reads_what_pyarrow_reads_also_from_slices(bools: list[bool], ints: list[int], start: int) -> None:
    for values, kind in ((bools, pa.bool_()), (ints, pa.int32())):
        whole = pa.array(values, kind)
        part = whole.slice(min(start, len(values) - 1))
        for a in (whole, part):
            got = arrow.to_numpy(a)
            assert got.tolist() == a.to_numpy(zero_copy_only=False).tolist()
    with_null = pa.array([1, None, 3], pa.int64())
    assert np.isnan(arrow.to_numpy(with_null)[1])  # other arrays take pyarrow's own path


def test_a_link_job_never_imports_pandas(tmp_path: Path) -> None:
    """pandas is about 50 MiB of a small job's memory; pyarrow.array and to_numpy import it when
    it is installed. The child refuses the import whether pandas is installed or not."""
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
            if name == "pandas" or name.startswith("pandas."):
                raise SystemExit("pandas imported")
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
