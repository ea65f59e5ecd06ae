from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from pendopo.linkage import InputError
from pendopo.linkage.batch import DuckDBLinker
from pendopo.linkage.cli import main
from pendopo.linkage.io import Mapping, open_table, read_records
from pendopo.linkage.stages import decode, encode
from pendopo.testdata.errors import dirty_sample, registry

COLUMNS = ["id", "nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code"]


def _write(path: Path, rows: list[list[object]], header: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("link")
    reg = registry(3000, seed=9)
    right = _write(tmp / "right.csv", [[r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code] for r in reg])
    sample = list(dirty_sample(reg, 400, seed=10, outsiders=40))
    truth = {f"L{i}": t for i, (_, t) in enumerate(sample)}
    left = _write(tmp / "left.csv", [[f"L{i}", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code] for i, (r, _) in enumerate(sample)])
    base = reg[:800]
    dups = list(dirty_sample(base, 150, seed=12))
    dedupe_truth = {r.person_id: r.person_id for r in base} | {f"D{i}": t for i, (_, t) in enumerate(dups)}
    dedupe = _write(tmp / "dedupe.csv", [[r.person_id, r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code] for r in base]
                    + [[f"D{i}", r.nik, r.kk, r.name, r.sex, r.birth_place, r.birth_date, r.address, r.village_code] for i, (r, _) in enumerate(dups)])
    return {"tmp": tmp, "left": left, "right": right, "truth": truth, "dedupe": dedupe, "dedupe_truth": dedupe_truth}


@pytest.fixture
def on_duckdb(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pendopo link`` on DuckDB whatever the job's size (a job under ``local.LOCAL_ROWS`` rows,
    as every job of these tests, runs in plain Python otherwise)."""
    import pendopo.linkage.local as local

    monkeypatch.setattr(local, "LOCAL_ROWS", 0)


@pytest.fixture(params=["local", "duckdb"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command's two in-process engines, each in turn."""
    import pendopo.linkage.local as local

    monkeypatch.setattr(local, "LOCAL_ROWS", 10**9 if request.param == "local" else 0)
    return str(request.param)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_patterns_round_trip() -> None:
    for levels in [(0, 0, -1, -1, 2, 0, -1), (4, 4, 4, 1, 4, 1, 1), (-1, -1, -1, -1, -1, -1, -1)]:
        assert decode(encode(levels)) == levels


def test_match_links_dirty_rows_to_the_right_people(files, engine: str) -> None:  # type: ignore[no-untyped-def]
    out = files["tmp"] / "pairs.csv"
    assert main([ "match", str(files["left"]), str(files["right"]), "--output", str(out), "--quiet"]) == 0
    pairs = _rows(out)
    assert list(pairs[0]) == ["left_id", "right_id", "score"]
    wrong = [p for p in pairs if files["truth"][p["left_id"]] != p["right_id"]]
    assert not wrong
    assert len(pairs) >= 0.97 * 400
    assert all(0.99 <= float(p["score"]) <= 1 for p in pairs)


@pytest.mark.usefixtures("on_duckdb")
def test_links_are_read_out_in_batches_with_the_same_answer(files, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The links stream out of DuckDB (a 10-million-row left file must not hold every link in
    memory): batches of 7 give the file that one batch gives."""
    import pendopo.linkage.batch as batch

    out = files["tmp"] / "whole.csv"
    assert main(["match", str(files["left"]), str(files["right"]), "--output", str(out), "--quiet"]) == 0
    monkeypatch.setattr(batch, "OUTPUT_BATCH", 7)
    small = files["tmp"] / "batched.csv"
    assert main(["match", str(files["left"]), str(files["right"]), "--output", str(small), "--quiet"]) == 0
    assert small.read_text(encoding="utf-8") == out.read_text(encoding="utf-8") and len(_rows(small)) > 7


def keep_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job drops its ranked candidates once the pairs are taken from them: keep a copy, ``seen``."""
    import pendopo.linkage.batch as batch

    pairs = batch.DuckDBLinker._pairs

    def kept(self: DuckDBLinker, dedupe: bool) -> int:
        n = pairs(self, dedupe)
        self.con.execute("CREATE TABLE seen AS SELECT * FROM candidates")
        return n

    monkeypatch.setattr(batch.DuckDBLinker, "_pairs", kept)


@pytest.mark.parametrize("job", ["match", "dedupe"])
def test_candidates_ranked_a_range_of_rows_at_a_time_are_the_same(files, job: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Many key hits (a 10-million-row file) are ranked in ranges of left rows so the window
    fits in memory; the candidate pairs, and so the answers, are the ones of a single pass."""
    import pendopo.linkage.batch as batch

    ranged: list[int] = []  # how many ranges each job ranked (the key tables are gone after it)
    hit_chunks = batch.DuckDBLinker._hit_chunks

    def spy(self: DuckDBLinker) -> list[tuple[int, int]]:
        chunks = hit_chunks(self)
        ranged.append(len(chunks))
        return chunks

    monkeypatch.setattr(batch.DuckDBLinker, "_hit_chunks", spy)
    keep_candidates(monkeypatch)

    def candidates() -> tuple[list[tuple[int, int, bool]], int]:
        with DuckDBLinker(memory_limit="256MB") as linker:
            if job == "match":
                linker.load_csv("l", str(files["left"]), Mapping(), query=True, reference=False)
                linker.load_csv("r", str(files["right"]), Mapping(), query=False, reference=True)
                list(linker.link())
            else:
                linker.load_csv("l", str(files["dedupe"]), Mapping(), query=True, reference=True)
                linker.dedupe()
            found = linker.con.execute("SELECT lrid, rrid, strong FROM seen ORDER BY ALL").fetchall()
            return found, ranged[-1]

    whole, ranges = candidates()
    assert ranges == 0 and len(whole) > 150
    monkeypatch.setattr(batch, "HIT_CHUNK", 200)
    chunked, ranges = candidates()
    assert ranges >= 2 and chunked == whole


def test_dedupe_lists_every_record_once_and_finds_the_copies(files, engine: str) -> None:  # type: ignore[no-untyped-def]
    out = files["tmp"] / "clusters.csv"
    assert main(["dedupe", str(files["dedupe"]), "--output", str(out), "--quiet"]) == 0
    rows = _rows(out)
    truth = files["dedupe_truth"]
    assert sorted(r["id"] for r in rows) == sorted(truth)
    cluster = {r["id"]: r["cluster_id"] for r in rows}
    found = sum(cluster[d] == cluster[t] for d, t in truth.items() if d.startswith("D"))
    assert found >= 0.97 * 150
    by_cluster: dict[str, set[str]] = {}
    for rid, cid in cluster.items():
        by_cluster.setdefault(cid, set()).add(truth[rid])
    assert all(len(people) == 1 for people in by_cluster.values()), "two people merged into one cluster"


def test_a_column_mapping_makes_any_person_data_work(tmp_path: Path, engine: str) -> None:
    # Non-Indonesian data: no NIK, no KK, names in two columns, another date column name.
    header = ["key", "given_name", "surname", "dob", "town"]
    left = _write(tmp_path / "l.csv", [["a1", "Maria", "Gonzalez", "1980-12-05", "Lyon"], ["a2", "Peter", "Smith", "1975-01-02", "Leeds"]], header)
    right = _write(tmp_path / "r.csv", [["b1", "MARIA", "GONZALES", "05/12/1980", "Lyon"], ["b2", "Pieter", "Smit", "1975-01-02", "Leeds"],
                                        ["b3", "John", "Brown", "1960-03-04", "York"]], header)
    out = tmp_path / "p.csv"
    rc = main(["match", str(left), str(right), "--output", str(out), "--id", "key", "--map", "name=given_name+surname",
               "--map", "birth_date=dob", "--map", "birth_place=town", "--quiet", "--threshold", "0.5"])
    assert rc == 0
    assert {(p["left_id"], p["right_id"]) for p in _rows(out)} == {("a1", "b1"), ("a2", "b2")}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "kosong"), (b"\xff\xfe\x00n\x00i\x00k\x00\n\x00\x00\x01", "biner"), (b"nik,name\n1,a\n", "kolom id 'id'"),
     (b"id,name\n1,a\n1,b\n", "muncul dua kali"), (b"id,name\n,a\n", "id kosong")],
)
def test_unusable_input_is_one_clear_line_and_writes_nothing(tmp_path: Path, content: bytes, fragment: str, engine: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    good = _write(tmp_path / "good.csv", [["x", "", "", "Siti", "P", "", "1980-01-01", "", ""]])
    out = tmp_path / "out.csv"
    assert main(["match", str(bad), str(good), "--output", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "bad.csv" in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("block", [7, 64, 1 << 24])
def test_utf8_is_checked_across_blocks_and_names_the_line(tmp_path: Path, block: int) -> None:
    """Plain-ASCII blocks skip the decoder; a character cut by a block's end is still valid, and
    a bad byte is reported on its own line whatever the block size."""
    from pendopo.linkage.io import check_utf8

    lines = [f"{i},Siti Aminah,3510094512800{i:03d}" for i in range(40)]
    lines[12] = "12,André Sänger,3510094512800012"  # two-byte characters, cut somewhere by small blocks
    good = tmp_path / "good.csv"
    good.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    check_utf8(good, block=block)
    bad_lines = [line.encode("utf-8") for line in lines]
    bad_lines[30] = b"30,Sl\xe4met,3510094512800030"  # Latin-1, as a spreadsheet saves it
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\n".join(bad_lines) + b"\n")
    with pytest.raises(InputError) as caught:
        check_utf8(bad, block=block)
    assert caught.value.row == 31


def test_a_file_not_in_utf8_is_refused_naming_the_line_of_the_bad_byte(tmp_path: Path, engine: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    rows = [f"{i},Siti Aminah {i},1980-01-01" for i in range(1, 60)]
    lines = [b"id,name,birth_date", *(r.encode() for r in rows)]
    lines[40] = b"40,Sl\xe4met,1975-02-02"  # Latin-1, as a spreadsheet saves it: line 41 of the file
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.csv"
    assert main(["dedupe", str(bad), "--output", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "latin1.csv, baris 41: bukan teks UTF-8" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_missing_file_and_a_bad_mapping_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    assert main(["dedupe", str(tmp_path / "absent.csv"), "--output", str(out), "--quiet"]) == 2
    with pytest.raises(InputError):
        Mapping.parse(["nama=name"])
    assert not out.exists()


def test_a_file_without_person_columns_is_linked_with_a_warning(files, tmp_path: Path, capsys, engine: str) -> None:  # type: ignore[no-untyped-def]
    left = _write(tmp_path / "kiri.csv", [["1", "Budi Santoso", "1980-01-01"]], header=["id", "nama", "tgl_lahir"])
    out = tmp_path / "o.csv"
    assert main(["match", str(left), str(files["right"]), "--output", str(out), "--quiet"]) == 0  # the contract allows it
    err = capsys.readouterr().err
    assert "kiri.csv tidak punya kolom data orang" in err and "--map name=nama --map birth_date=tgl_lahir" in err
    assert out.read_text().splitlines() == ["left_id,right_id,score"]
    # Mapped (a mapping names the columns of every input file), the warning is gone.
    assert main(["dedupe", str(left), "--output", str(out), "--quiet", "--map", "name=nama", "--map", "birth_date=tgl_lahir"]) == 0
    assert "peringatan" not in capsys.readouterr().err
    assert out.read_text().splitlines() == ["id,cluster_id", "1,1"]
    capitals = _write(tmp_path / "KIRI.csv", [["1", "3510094512800001", "BUDI"]], header=["id", "NIK", "NAMA"])
    assert main(["dedupe", str(capitals), "--output", str(out), "--quiet"]) == 0
    assert "--map nik=NIK --map name=NAMA" in capsys.readouterr().err


def test_xlsx_input_with_numbers_where_text_is_expected(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append([1, 3510094512800001, 3510090101100001, "Siti Aminah", "P", "Banyuwangi", "1980-12-05", "Krajan 1/2", "35.10.09.2001"])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    records = list(read_records(open_table(path), Mapping()))
    assert records[0].id == "1" and str(records[0].nik).startswith("3510094512800001")


def test_the_command_runs_as_pendopo_link(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "c.csv"
    r = subprocess.run([sys.executable, "-m", "pendopo.cli", "link", "dedupe", str(files["dedupe"]), "--output", str(out), "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_the_linker_can_be_used_directly(files) -> None:  # type: ignore[no-untyped-def]
    with DuckDBLinker(memory_limit="256MB") as linker:
        linker.load("l", read_records(open_table(files["left"]), Mapping()), query=True, reference=False)
        linker.load("r", read_records(open_table(files["right"]), Mapping()), query=False, reference=True)
        links = list(linker.link())
        # Rows whose NIK, name and birth date agree with one person skip blocking; one in 25 is
        # blocked anyway and trains the model.
        sure = linker.con.execute("SELECT count(*) FROM sure").fetchall()[0][0]
        blocked = linker.con.execute("SELECT count(DISTINCT lrid) FROM pairs WHERE lrid NOT IN (SELECT lrid FROM sure)").fetchall()[0][0]
    assert links and linker.model.prior < 0.5
    assert sure > 100 and blocked > 0


def test_a_link_names_rows_alike_in_sql_and_in_python(files) -> None:  # type: ignore[no-untyped-def]
    """A row whose name and birth date belong to one registry person in its village has that
    person as its only candidate (``stages.NAMED_SQL``), in DuckDB as in plain Python
    (``named_pairs``); one such row in NAMED_SAMPLE is blocked all the same."""
    from pendopo.linkage.local import LocalLinker
    from pendopo.linkage.records import prepare
    from pendopo.linkage.stages import NAMED_SAMPLE, named_pairs

    left = [prepare(r) for r in read_records(open_table(files["left"]), Mapping())]
    right = [prepare(r) for r in read_records(open_table(files["right"]), Mapping())]
    sure = LocalLinker._sure(left, right)
    named = named_pairs(left, right, sure)
    with DuckDBLinker(memory_limit="256MB") as linker:
        linker.load("r", read_records(open_table(files["right"]), Mapping()), query=False, reference=True)
        linker.load("l", read_records(open_table(files["left"]), Mapping()), query=True, reference=False)
        links = {lk.left_id: lk.right_id for lk in linker.link()}
        in_sure = dict(linker.con.execute("SELECT lrid, rrid FROM sure").fetchall())
        blocked = {r[0] for r in linker.con.execute("SELECT lrid FROM scored WHERE lrid NOT IN (SELECT lrid FROM sure)").fetchall()}
    assert len(named) > 20 and set(named).isdisjoint(sure)
    assert {a: b for a, b in named.items() if a % NAMED_SAMPLE} == {a: b for a, b in in_sure.items() if a not in sure}
    assert {a for a in named if a % NAMED_SAMPLE == 0} <= blocked
    # A named row is its person's even when its NIK is missing or wrong.
    right_ids = [f.id for f in right]
    no_nik = [a for a in named if len(left[a].nik) != 16 or left[a].nik != right[named[a]].nik]
    assert no_nik and all(links.get(left[a].id) == right_ids[named[a]] == files["truth"][left[a].id] for a in no_nik)


def test_a_small_job_hands_freed_memory_back_and_a_large_one_keeps_it(files, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import pendopo.linkage.batch as batch

    def flush(linker: DuckDBLinker) -> str:
        return str(linker.con.execute("SELECT current_setting('allocator_bulk_deallocation_flush_threshold')").fetchall()[0][0])

    monkeypatch.setattr(batch, "SMALL_JOB_ROWS", 3200)  # the left file's 440 rows fit, with the registry's 3,000 not
    with DuckDBLinker(memory_limit="256MB") as linker:
        assert flush(linker) == "1.0 MiB"
        linker.load_csv("l", str(files["left"]), Mapping(), query=True, reference=False)
        assert flush(linker) == "1.0 MiB"
        linker.load("r", read_records(open_table(files["right"]), Mapping()), query=False, reference=True)
        assert flush(linker) == "512.0 MiB"
        assert list(linker.link())


def test_duckdb_compares_a_one_key_candidate_only_when_nothing_shares_two(monkeypatch: pytest.MonkeyPatch) -> None:
    from pendopo.linkage.tests.test_resolution import LOOKING, SHARING_ONE, SHARING_TWO

    keep_candidates(monkeypatch)
    compared = {}
    for reference in ([SHARING_ONE, SHARING_TWO], [SHARING_ONE]):
        with DuckDBLinker(memory_limit="256MB") as linker:
            linker.load("l", [LOOKING], query=True, reference=False)
            linker.load("r", reference, query=False, reference=True)
            list(linker.link())
            compared[len(reference)] = dict(linker.con.execute(
                "SELECT b.id, c.strong FROM seen c JOIN r_feat b ON b.rid = c.rrid ORDER BY 1").fetchall())
    assert compared == {2: {"one": False, "two": True}, 1: {"one": True}}  # as the online index chooses


@pytest.mark.spark
@pytest.mark.usefixtures("on_duckdb")
def test_spark_gives_the_same_answers_as_duckdb(files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from pendopo.linkage import stages

    if shutil.which("java") is None:
        pytest.skip("Java tidak ada: Spark butuh Java 17 (apt-get install openjdk-17-jre-headless) / Java missing")
    # So many weak candidates that fewer than 1 in WEAK_SAMPLE train the model (``stages.weak_every``):
    # the engines sample the same ones.
    monkeypatch.setattr(stages, "WEAK_TARGET", 3)
    for job, inputs in (("match", [str(files["left"]), str(files["right"])]), ("dedupe", [str(files["dedupe"])])):
        outs = {}
        for engine in ("duckdb", "spark"):
            out = tmp_path / f"{job}-{engine}.csv"
            assert main([job, *inputs, "--output", str(out), "--quiet", "--engine", engine]) == 0
            outs[engine] = sorted(out.read_text().splitlines())
        assert outs["duckdb"] == outs["spark"], job


def test_a_record_that_fits_two_people_does_not_make_them_one() -> None:
    from pendopo.linkage.stages import clusters_from_scores

    ids = ["a0", "a1", "a2", "b0", "x", "p", "q"]
    pairs = [(0, 1, 40.0, 1.0), (0, 2, 38.0, 1.0), (1, 2, 35.0, 1.0),  # one person, three records
             (2, 3, 8.0, 0.995),  # "Joshua" with no surname fits b0 too
             (0, 3, 4.0, 0.89), (1, 3, 4.0, 0.89),  # but b0 compared with the others does not match
             (4, 5, 20.0, 1.0), (4, 6, 15.0, 1.0), (5, 6, -30.0, 0.0)]  # x fits p and q; p and q differ
    clusters = clusters_from_scores(ids, pairs, 0.99)
    assert clusters["a1"] == clusters["a2"] == "a0" and clusters["b0"] == "b0"
    assert clusters["x"] == clusters["p"] == "p" and clusters["q"] == "q"  # the stronger pair wins
    # Groups never compared with each other beyond the linking pair still join.
    chained = clusters_from_scores(["r", "s", "t"], [(0, 1, 20.0, 1.0), (1, 2, 20.0, 1.0)], 0.99)
    assert set(chained.values()) == {"r"}


@pytest.mark.parametrize("job", ["match", "dedupe"])
@pytest.mark.parametrize("weak_target", [None, 3])
def test_a_small_job_in_plain_python_gives_duckdbs_answers(files, job: str, weak_target: int | None,  # type: ignore[no-untyped-def]
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The same links with the same scores (and the same clusters), line for line, and the same
    model, from the plain-Python engine that runs jobs under LOCAL_ROWS rows; also when the weak
    candidates are so many that fewer than 1 in WEAK_SAMPLE train the model (``weak_target``)."""
    from pendopo.linkage import stages
    from pendopo.linkage.index import WEAK_SAMPLE
    from pendopo.linkage.local import LocalLinker

    if weak_target:
        monkeypatch.setattr(stages, "WEAK_TARGET", weak_target)
    answers, models, rates = {}, {}, set()
    for linker in (DuckDBLinker(memory_limit="256MB"), LocalLinker()):
        with linker:
            if job == "match":
                linker.load("l", read_records(open_table(files["left"]), Mapping()), query=True, reference=False)
                linker.load("r", read_records(open_table(files["right"]), Mapping()), query=False, reference=True)
                answers[type(linker).__name__] = [(lk.left_id, lk.right_id, lk.score) for lk in linker.link()]
            else:
                linker.load("l", read_records(open_table(files["dedupe"]), Mapping()), query=True, reference=True)
                answers[type(linker).__name__] = list(linker.clusters())
            models[type(linker).__name__] = linker.model.to_dict()
            rates.add(linker.weak_every)
    assert answers["LocalLinker"] == answers["DuckDBLinker"] and len(answers["LocalLinker"]) > 300
    assert models["LocalLinker"] == models["DuckDBLinker"]
    assert len(rates) == 1 and (rates.pop() > WEAK_SAMPLE) == bool(weak_target)


def test_the_command_runs_small_jobs_in_python_and_large_ones_on_duckdb(files, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import pendopo.linkage.local as local
    from pendopo.linkage.batch import DuckDBLinker
    from pendopo.linkage.cli import open_linker

    tables = [open_table(files["left"]), open_table(files["right"])]
    lines = sum(Path(t.path).read_bytes().count(b"\n") for t in tables)  # the rows and the two headers
    assert local.small_job(tables, limit=lines + 1) and not local.small_job(tables, limit=lines)
    looked_up = Path(tables[0].path).read_bytes().count(b"\n")  # the left file's rows count twice
    assert local.small_job(tables, tables[:1], limit=lines + looked_up + 1)
    assert not local.small_job(tables, tables[:1], limit=lines + looked_up)
    book = tmp_path / "rows.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    for i in range(30):
        wb.active.append(["id", "name"] if i == 0 else [i, f"Orang {i}"])
    wb.save(book)
    assert local.small_job([open_table(book)], limit=30) and not local.small_job([open_table(book)], limit=29)
    with open_linker("duckdb", tables) as linker:
        assert isinstance(linker, local.LocalLinker)
    monkeypatch.setattr(local, "LOCAL_ROWS", lines + looked_up)
    with open_linker("duckdb", tables) as linker:
        assert isinstance(linker, DuckDBLinker)


def test_a_small_job_never_loads_duckdb_or_pyarrow(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What makes it small: neither library is imported (about 70 MiB before a row is read)."""
    out = tmp_path / "p.csv"
    code = ("import sys; from pendopo.linkage.cli import main; "
            f"rc = main(['match', {str(files['left'])!r}, {str(files['right'])!r}, '--output', {str(out)!r}, '--quiet']); "
            "print(rc, sorted(m for m in ('duckdb', 'pyarrow') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["0", "[]"], r.stderr
    assert len(_rows(out)) > 300
