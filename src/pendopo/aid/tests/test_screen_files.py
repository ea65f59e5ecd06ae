"""``pendopo screen`` on files: every reason code, every rule shape, bad input (contract:
shared/contracts/screening.md)."""

from __future__ import annotations

import collections
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pendopo.aid.screen_cli import BOTH_OR_NEITHER
from pendopo.aid.tests.helpers import (
    PEOPLE,
    intake_file,
    person_row,
    read_decisions,
    registry_file,
    rolls_file,
)

pytestmark = pytest.mark.django_db


def screen(tmp_path: Path, rows: list[dict[str, str]], scheme: str = "BLT-DD", **extra: str) -> list[dict[str, str]]:
    out = tmp_path / "decisions.csv"
    call_command("screen", str(intake_file(tmp_path, rows)), scheme=scheme, registry=str(registry_file(tmp_path)),
                 rolls=str(rolls_file(tmp_path)), output=str(out), quiet=True, **extra)
    return read_decisions(out)


def test_it_accepts_an_eligible_resident_with_a_correct_nik(tmp_path: Path) -> None:
    [d] = screen(tmp_path, [person_row("B1", name="SITI AMINAH")])
    assert (d["row"], d["decision"], d["reasons"], d["person_id"]) == ("1", "accept", "", "B1")
    assert float(d["score"]) >= 0.99
    assert d["explanation"].startswith("Diterima untuk BLT-DD")


def test_it_rejects_the_son_of_a_bst_holder_for_blt_dd(tmp_path: Path) -> None:
    [d] = screen(tmp_path, [person_row("A2")])
    assert (d["decision"], d["reasons"], d["person_id"]) == ("reject", "COVERED", "A2")
    assert "BST" in d["explanation"] and "A1" in d["explanation"]


def test_it_rejects_deceased_and_moved_residents(tmp_path: Path) -> None:
    dead, moved = screen(tmp_path, [person_row("B2"), person_row("B3")])
    assert (dead["decision"], dead["reasons"]) == ("reject", "DECEASED")
    assert (moved["decision"], moved["reasons"]) == ("reject", "MOVED")


def test_statuses_typed_in_indonesian_reach_the_decisions(tmp_path: Path) -> None:
    # Only the registry rows whose status is not alive outlive the link (``_release_inputs``):
    # the spellings officers type must still say deceased and moved, and the rest alive.
    path = registry_file(tmp_path)
    typed = {"alive": "Hidup", "deceased": "MENINGGAL", "moved": " pindah keluar "}
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0], *(re.sub(r"(alive|deceased|moved)$", lambda m: typed[m.group(1)], line) for line in lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "decisions.csv"
    call_command("screen", str(intake_file(tmp_path, [person_row("B1"), person_row("B2"), person_row("B3")])), scheme="BLT-DD",
                 registry=str(path), rolls=str(rolls_file(tmp_path)), output=str(out), quiet=True)
    alive, dead, moved = read_decisions(out)
    assert (alive["decision"], alive["reasons"]) == ("accept", "")
    assert (dead["decision"], dead["reasons"]) == ("reject", "DECEASED")
    assert (moved["decision"], moved["reasons"]) == ("reject", "MOVED")


def test_it_rejects_a_repeat_of_an_earlier_row(tmp_path: Path) -> None:
    first, again = screen(tmp_path, [person_row("B1"), person_row("B1", name="Siti Aminah", address="Dsn. Krajan RT.02/RW.01")])
    assert first["decision"] == "accept"
    assert (again["decision"], again["reasons"], again["person_id"]) == ("reject", "DUPLICATE_IN_BATCH", "B1")
    assert "baris 1" in again["explanation"]


def test_it_sends_a_nik_with_one_wrong_digit_to_review(tmp_path: Path) -> None:
    right = person_row("B1")["nik"]
    wrong = right[:14] + ("9" if right[14] != "9" else "8") + right[15]
    [d] = screen(tmp_path, [person_row("B1", nik=wrong)])
    assert (d["decision"], d["reasons"], d["person_id"]) == ("review", "NIK_MISMATCH", "B1")


@pytest.mark.parametrize("typed", ["3.51009E+15", "", "35100952058"])
def test_it_calls_an_impossible_nik_invalid(tmp_path: Path, typed: str) -> None:
    [d] = screen(tmp_path, [person_row("B1", nik=typed)])
    assert d["decision"] == "review"
    assert "NIK_INVALID" in d["reasons"].split(";")


def test_it_reviews_someone_who_is_not_in_the_registry(tmp_path: Path) -> None:
    stranger = person_row("B1", nik="3510096603010007", name="Ratna Kumalasari", birth_date="2001-03-26",
                          kk="3510090101200099", address="Dusun Gumuk RT 009 RW 003")
    [d] = screen(tmp_path, [stranger])
    assert (d["decision"], d["reasons"], d["person_id"]) == ("review", "NOT_IN_REGISTRY", "")


def test_it_reviews_a_row_that_fits_two_registry_people_equally(tmp_path: Path) -> None:
    [d] = screen(tmp_path, [person_row("G1", nik="", kk="")])
    assert (d["decision"], d["person_id"]) == ("review", "")
    assert "AMBIGUOUS" in d["reasons"].split(";")


def test_a_person_rule_looks_only_at_the_person(tmp_path: Path) -> None:
    holder, sibling = screen(tmp_path, [person_row("C1"), person_row("C2")], scheme="PRAKERJA")
    assert (holder["decision"], holder["reasons"]) == ("reject", "COVERED")
    assert sibling["decision"] == "accept"


def test_a_component_rule_rejects_only_that_component(tmp_path: Path) -> None:
    pregnant_pkh, plain_pkh, apbd = screen(tmp_path, [person_row("D2"), person_row("E2"), person_row("F2")], scheme="PMT-BUMIL")
    assert (pregnant_pkh["decision"], pregnant_pkh["reasons"]) == ("reject", "COVERED")
    assert plain_pkh["decision"] == "accept"  # PKH without the pregnancy component
    assert apbd["decision"] == "accept"  # the APBD food parcel does not exclude it


def test_a_rules_file_replaces_the_catalogue(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[schemes.BLT-DD]\nname = "BLT Dana Desa"\nunit = "family"\nlevel = "village"\nrejects = ["PKH"]\n',
                     encoding="utf-8")
    son_of_bst, husband_of_pkh = screen(tmp_path, [person_row("A2"), person_row("E2")], rules=str(rules))
    assert son_of_bst["decision"] == "accept"  # BST no longer conflicts
    assert (husband_of_pkh["decision"], husband_of_pkh["reasons"]) == ("reject", "COVERED")


def test_every_row_gets_one_output_row_in_input_order(tmp_path: Path) -> None:
    rows = [person_row(pid) for pid in PEOPLE]
    got = screen(tmp_path, rows)
    assert [d["row"] for d in got] == [str(i) for i in range(1, len(rows) + 1)]
    assert {d["person_id"] for d in got if d["decision"] != "review"} <= set(PEOPLE)


def test_it_screens_xlsx_like_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    row = person_row("A2")
    ws.append(list(row))
    ws.append([int(row["nik"]) if k == "nik" else v for k, v in row.items()])  # NIK stored as a number
    xlsx = tmp_path / "intake.xlsx"
    wb.save(xlsx)
    out = tmp_path / "d.csv"
    call_command("screen", str(xlsx), scheme="BLT-DD", registry=str(registry_file(tmp_path)), rolls=str(rolls_file(tmp_path)),
                 output=str(out), quiet=True)
    [d] = read_decisions(out)
    assert (d["decision"], d["reasons"]) == ("reject", "COVERED")


def test_the_generated_scenario_has_no_wrong_decision(tmp_path: Path) -> None:
    """Every error kind of DOMAIN.md on a generated village population: no wrong accept, no
    wrong reject."""
    from pendopo.testdata.screening import scenario

    sc = scenario(3000, 400, seed=21)
    paths = sc.write(tmp_path)
    out = tmp_path / "d.csv"
    call_command("screen", str(paths["intake"]), scheme="BLT-DD", registry=str(paths["registry"]), rolls=str(paths["rolls"]),
                 output=str(out), quiet=True)
    got = read_decisions(out)
    pairs = collections.Counter((e.decision, g["decision"]) for e, g in zip(sc.expected, got, strict=True))
    wrong_accept = sum(n for (e, g), n in pairs.items() if g == "accept" and e != "accept")
    wrong_reject = sum(n for (e, g), n in pairs.items() if g == "reject" and e != "reject")
    assert (wrong_accept, wrong_reject) == (0, 0), pairs
    codes = {c for g in got for c in g["reasons"].split(";") if c}
    assert {"COVERED", "DECEASED", "MOVED", "DUPLICATE_IN_BATCH", "NOT_IN_REGISTRY"} <= codes


def test_the_command_screens_files_without_django(tmp_path: Path) -> None:
    """`pendopo screen` with a registry and rolls file runs before Django is set up, with the
    same decisions as the management command; its refusals are one line and exit 1."""
    import subprocess
    import sys

    rows = [person_row(p) for p in ("A2", "B1", "A1")]
    intake = intake_file(tmp_path, rows)
    out = tmp_path / "direct.csv"
    program = ("import sys; from pendopo.cli import main\n"
               "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n"
               "    assert 'django' not in sys.modules, 'django imported'\n    raise")
    args = [str(intake), "--scheme", "BLT-DD", "--registry", str(registry_file(tmp_path)), "--rolls", str(rolls_file(tmp_path))]
    r = subprocess.run([sys.executable, "-c", program, "screen", *args, "--output", str(out), "--quiet"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "3 baris disaring" in r.stderr
    assert read_decisions(out) == screen(tmp_path, rows)
    r = subprocess.run([sys.executable, "-c", program, "screen", *args[:-2], "--output", str(tmp_path / "x.csv")], capture_output=True,
                       text=True, timeout=120)
    assert (r.returncode, r.stderr.strip().splitlines()[-1]) == (1, f"pendopo screen: {BOTH_OR_NEITHER}")
    assert not (tmp_path / "x.csv").exists()
    # Too little memory for DuckDB: one line that says so, no traceback, nothing written.
    r = subprocess.run([sys.executable, "-c", program, "screen", *args, "--output", str(tmp_path / "y.csv"), "--quiet",
                        "--memory-limit", "1MB"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("pendopo screen: --memory-limit 1MB tidak cukup")
    assert not (tmp_path / "y.csv").exists()


def test_settled_roll_rows_change_no_decision_and_no_holder(tmp_path: Path) -> None:
    """Roll rows whose sure pair has their name and birth date too are matched without being
    compared: the same decisions and scores, and every roll row the same person and status, as
    when every pair is compared. The rows typed as their registry row, settled before they are
    prepared, are exactly those ``score_link`` settles itself when they are not."""
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue
    from pendopo.testdata.screening import scenario

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    results = []
    for settle, copies in ((True, True), (True, False), (False, False)):
        with ScreenJob(default_catalogue(), "BLT-DD") as job:
            job.SETTLE_ROLLS, job.SETTLE_COPIES = settle, copies
            job.registry_file(paths["registry"])
            job.rolls_file(paths["rolls"])
            job.intake_file(paths["intake"])
            outcomes = job.run()
            links = job.con.execute("SELECT line, best, status FROM roll_link ORDER BY line").fetchall()
            settled = job.con.execute("SELECT lrid, rrid FROM settled ORDER BY 1").fetchall() if settle else []
        results.append(([(o.decision, o.codes, o.person_id, o.score) for o in outcomes], links, settled))
    (copied_outcomes, copied_links, copied), (settled_outcomes, settled_links, settled), (compared_outcomes, compared_links, _) = results
    assert len(settled) > 100  # most roll rows of the scenario are settled
    assert copied == settled
    assert copied_outcomes == settled_outcomes == compared_outcomes
    assert copied_links == settled_links == compared_links


def test_a_screening_samples_its_intake_for_training_and_not_its_roll_rows(tmp_path: Path) -> None:
    """One in ``SURE_SAMPLE`` intake rows with a sure pair is blocked all the same (the model
    learns clean rows from them); a roll row with a sure pair never is."""
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue
    from pendopo.linkage.stages import SURE_SAMPLE
    from pendopo.testdata.screening import scenario

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    with ScreenJob(default_catalogue(), "BLT-DD") as job:
        job.registry_file(paths["registry"])
        job.rolls_file(paths["rolls"])
        intake = job.intake_file(paths["intake"])
        job.run()
        counts = dict(job.con.execute(f"""
            SELECT lrid >= {intake}, count(*) FROM (SELECT lrid FROM sure UNION ALL SELECT lrid FROM settled)
            WHERE lrid % {SURE_SAMPLE} = 0 GROUP BY 1
        """).fetchall())  # noqa: S608 - numbers
    assert counts.get(False, 0) == 0  # intake rows in the sample were blocked
    assert counts[True] >= 10  # roll rows at the same places were settled or kept to their sure pair


def test_a_screening_counts_its_files_toward_the_small_job_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A screening reads its files itself, not through the linker's ``load``: each still counts,
    so one past ``SMALL_JOB_ROWS`` keeps DuckDB's freed memory as a large link job does."""
    import pendopo.linkage.batch as linkage_batch
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue
    from pendopo.testdata.screening import scenario

    def flush(job: ScreenJob) -> str:
        return str(job.con.execute("SELECT current_setting('allocator_bulk_deallocation_flush_threshold')").fetchall()[0][0])

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    monkeypatch.setattr(linkage_batch, "SMALL_JOB_ROWS", 3500)
    with ScreenJob(default_catalogue(), "BLT-DD") as job:
        job.registry_file(paths["registry"])
        assert flush(job) == "1.0 MiB"
        job.rolls_file(paths["rolls"])
        assert flush(job) == "512.0 MiB"
        job.intake_file(paths["intake"])
        assert job.run()


def test_roll_rows_named_by_name_birth_date_and_village_give_the_decisions_of_blocking_them(tmp_path: Path) -> None:
    """Roll rows whose name and birth date belong to one registry person, in their village, are
    scored against that person alone: every decision, and every roll row's person and status,
    as when they are blocked like the others (the scores move a little: the model learns from
    a sample of those rows, weighted)."""
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue
    from pendopo.testdata.screening import scenario

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    results = []
    for named in (True, False):
        with ScreenJob(default_catalogue(), "BLT-DD") as job:
            job.linker.NAME_ROWS = named
            job.registry_file(paths["registry"])
            job.rolls_file(paths["rolls"])
            intake = job.intake_file(paths["intake"])
            outcomes = job.run()
            links = job.con.execute("SELECT line, best, status FROM roll_link ORDER BY line").fetchall()
            # roll rows with one candidate only: their sure pair, or their named one
            alone = job.con.execute(f"SELECT count(*) FROM sure WHERE lrid >= {intake}").fetchall()[0][0]  # noqa: S608 - a number
        results.append(([(o.decision, o.codes, o.person_id) for o in outcomes], links, alone))
    (named_outcomes, named_links, named_alone), (blocked_outcomes, blocked_links, blocked_alone) = results
    assert named_alone > blocked_alone + 10  # the scenario has roll rows with a NIK missing, one digit off or a KK number
    assert named_outcomes == blocked_outcomes
    assert named_links == blocked_links


def _screen_job_file(paths: dict[str, Path], out: Path, *, split_from: int | None = None, share: int = 10) -> int:
    """A ScreenJob over a written scenario: ``run_to_file`` (from ``split_from`` rows in two
    processes), else ``run`` and ``write_decisions``; the processes that decided."""
    from pendopo.aid.batch import ScreenJob, write_decisions
    from pendopo.aid.rules import default_catalogue

    with ScreenJob(default_catalogue(), "BLT-DD") as job:
        job.registry_file(paths["registry"])
        job.rolls_file(paths["rolls"])
        job.intake_file(paths["intake"])
        if split_from is None:
            write_decisions(out, job.run())
            return 1
        job.SPLIT_FROM, job.SPLIT_SHARE = split_from, share
        counts = job.run_to_file(out)
        assert sum(counts.values()) == len(read_decisions(out))
        assert counts == collections.Counter(d["decision"] for d in read_decisions(out))
        return job.parts


def test_a_file_decided_in_two_processes_is_the_file_decided_in_one(tmp_path: Path) -> None:
    """``run_to_file`` splits a large intake between two processes; the second part's screener
    first replays the rows of the first, so repeats of a row in the other part are found and
    the file is the same byte for byte as ``run``'s."""
    from pendopo.testdata.screening import scenario

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert _screen_job_file(paths, one) == 1
    assert _screen_job_file(paths, two, split_from=1) == 2
    assert two.read_bytes() == one.read_bytes()
    rows = read_decisions(two)
    split = len(rows) * 10 // 100  # the scenario repeats rows of its first tenth later on
    across = [r for r in rows[split:] if "DUPLICATE" in r["reasons"]
              and any(int(n) <= split for n in re.findall(r"baris (\d+)", r["explanation"]))]
    assert across, "the scenario has no repeat of a first-part row in the second part"
    assert not list(tmp_path.glob(".*.part*")) and not list(tmp_path.glob(".*.partial"))


def test_when_the_second_process_fails_the_first_decides_its_rows_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pendopo.aid.screening import Screener
    from pendopo.testdata.screening import scenario

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    _screen_job_file(paths, one)

    def broken(*args: object) -> None:
        raise RuntimeError("the child breaks")

    monkeypatch.setattr(Screener, "remember", broken)  # only the child replays
    assert _screen_job_file(paths, two, split_from=1) == 1
    assert two.read_bytes() == one.read_bytes()


def test_a_failure_while_the_second_process_runs_leaves_no_file_and_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from pendopo.aid import batch
    from pendopo.testdata.screening import scenario

    paths = scenario(3000, 400, seed=21).write(tmp_path)
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    def broken(child: int, report: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(batch, "_collect", broken)
    out = tmp_path / "d.csv"
    with pytest.raises(OSError, match="disk full"):
        _screen_job_file(paths, out, split_from=1)
    assert children and not out.exists()
    assert not list(tmp_path.glob(".*.part*")) and not list(tmp_path.glob(".*.partial"))
    with pytest.raises(ChildProcessError):  # reaped: no child left behind
        os.waitpid(children[0], 0)


def test_a_roll_row_is_named_only_by_a_name_and_birth_date_one_person_has_in_its_village(tmp_path: Path) -> None:
    """No NIK, the name and birth date of one registry person in the row's village: that person is
    the row's only candidate. Two people with that name and birth date, or the one in another
    village: the row is blocked and resolved as any other."""
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue

    header = "person_id,nik,kk,name,sex,birth_place,birth_date,address,village_code,status\n"
    people = [("P1", "3510014107800001", "SITI AMINAH", "1980-07-01", "35.10.01.2001"),
              ("P2", "3510011509820002", "BUDI SANTOSO", "1982-09-15", "35.10.01.2001"),
              ("P3", "3510011509820003", "BUDI SANTOSO", "1982-09-15", "35.10.01.2001"),
              ("P4", "3510012012900004", "AGUS SALIM", "1990-12-20", "35.10.01.2002")]
    (tmp_path / "registry.csv").write_text(header + "".join(
        f"{pid},{nik},35100101010100{i:02d},{name},{'P' if int(nik[6:8]) > 40 else 'L'},Genteng,{birth},Dusun Krajan RT 001 RW 002,"
        f"{village},alive\n" for i, (pid, nik, name, birth, village) in enumerate(people)), encoding="utf-8")
    rolls = [("", "Siti Aminah", "01-07-1980", "35.10.01.2001"), ("", "Budi Santoso", "15-09-1982", "35.10.01.2001"),
             ("", "Agus Salim", "20-12-1990", "35.10.01.2001")]
    (tmp_path / "rolls.csv").write_text("nik,name,birth_date,village_code,scheme\n" + "".join(
        f"{nik},{name},{birth},{village},PKH\n" for nik, name, birth, village in rolls), encoding="utf-8")
    (tmp_path / "intake.csv").write_text("nik,name\n3510010101010009,Someone Else\n", encoding="utf-8")
    with ScreenJob(default_catalogue(), "BLT-DD") as job:
        job.registry_file(tmp_path / "registry.csv")
        job.rolls_file(tmp_path / "rolls.csv")
        intake = job.intake_file(tmp_path / "intake.csv")
        original = job.linker._score_candidates
        alone: list[tuple[int, int]] = []

        def spy(dedupe: bool, extra_pairs: str = "", **more: Any) -> None:
            alone.extend(job.con.execute(f"SELECT lrid, rrid FROM {extra_pairs} ORDER BY 1").fetchall())  # noqa: S608 - own name
            original(dedupe, extra_pairs, **more)

        job.linker._score_candidates = spy  # type: ignore[method-assign]
        job.run()
    # the first roll row (lrid = intake) is Siti Aminah (registry rid 0); two people have the
    # second's name and birth date; the one with the third's lives in another village
    assert alone == [(intake, 0)]


def test_roll_rows_typed_as_their_registry_row_in_any_date_form_are_settled_before_preparing(tmp_path: Path) -> None:
    """A roll row with its person's NIK, name up to case and birth date in a form ``parse_date``
    reads as that very date is settled unprepared; a two-digit year, a three-digit serial (not a
    date to ``parse_date``), other letters than plain ASCII or another name are left to the
    linkage, and each row ends with the person the linkage gives it."""
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue

    header = "person_id,nik,kk,name,sex,birth_place,birth_date,address,village_code,status\n"
    people = [("P1", "3510014107800001", "SITI AMINAH", "1980-07-01"), ("P2", "3510011509020002", "Budi Santoso", "1902-09-15"),
              ("P3", "3510015505810003", "Ṡiti Rahayu", "1981-05-15"), ("P4", "3510012012900004", "Agus Salim", "1990-12-20")]
    (tmp_path / "registry.csv").write_text(header + "".join(
        f"{pid},{nik},3510010101010001,{name},{'P' if int(nik[6:8]) > 40 else 'L'},Genteng,{birth},Dusun Krajan RT 001 RW 002,"
        f"35.10.01.2001,alive\n" for pid, nik, name, birth in people), encoding="utf-8")
    rolls = [  # (nik of, name, birth date as typed, a copy?)
        ("P1", "Siti Aminah", "01/07/1980", True), ("P1", "siti aminah", "01-07-1980", True), ("P1", "SITI AMINAH", "01.07.1980", True),
        ("P1", "Siti Aminah", "29403", True), ("P1", "SITI AMINAH", "1980-07-01", True), ("P1", "SITI AMINAH", "01/07/80", False),
        ("P2", "BUDI SANTOSO", "15/09/1902", True), ("P2", "BUDI SANTOSO", "989", False), ("P3", "ṡiti rahayu", "15/05/1981", False),
        ("P4", "Agus Salim Effendi", "1990-12-20", False),
    ]
    nik = {pid: n for pid, n, _, _ in people}
    (tmp_path / "rolls.csv").write_text("nik,name,birth_date,scheme\n" + "".join(
        f"{nik[pid]},{name},{birth},PKH\n" for pid, name, birth, _ in rolls), encoding="utf-8")
    (tmp_path / "intake.csv").write_text("nik,name\n3510010101010009,Someone Else\n", encoding="utf-8")
    results = []
    for copies in (True, False):
        with ScreenJob(default_catalogue(), "BLT-DD") as job:
            job.SETTLE_COPIES = copies
            job.registry_file(tmp_path / "registry.csv")
            job.rolls_file(tmp_path / "rolls.csv")
            job.intake_file(tmp_path / "intake.csv")
            if copies:
                job.con.execute("CREATE OR REPLACE TABLE kept_copies (line BIGINT)")
                original = job._settle_copies

                def keep(offset: int, job: ScreenJob = job, original: object = original) -> None:
                    original(offset)  # type: ignore[operator]
                    job.con.execute("INSERT INTO kept_copies SELECT line FROM copies")

                job._settle_copies = keep  # type: ignore[method-assign]
            job.run()
            found = [r[0] for r in job.con.execute("SELECT line FROM kept_copies ORDER BY 1").fetchall()] if copies else []
            results.append((found, job.con.execute("SELECT line, best, status FROM roll_link ORDER BY line").fetchall()))
    (found, with_copies), (_, without) = results
    assert found == [i for i, (_, _, _, copy) in enumerate(rolls, start=1) if copy]
    assert with_copies == without
    assert [best for _, best, status in with_copies if status == "match"][:7] == ["P1"] * 6 + ["P2"]


# --- unusable input: one clear line, nothing written ---------------------------------------

def _refused(tmp_path: Path, intake: Path, match: str, scheme: str = "BLT-DD") -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=match):
        call_command("screen", str(intake), scheme=scheme, registry=str(registry_file(tmp_path)), rolls=str(rolls_file(tmp_path)),
                     output=str(out), quiet=True)
    assert not out.exists()


def test_it_refuses_an_intake_without_a_name_column(tmp_path: Path) -> None:
    bad = tmp_path / "nameless.csv"
    bad.write_text("nik,sex\n3510095205800021,P\n", encoding="utf-8")
    _refused(tmp_path, bad, r"nameless\.csv, baris 1, kolom name: kolom wajib 'name' tidak ada")


def test_it_refuses_an_unknown_scheme(tmp_path: Path) -> None:
    _refused(tmp_path, intake_file(tmp_path, [person_row("B1")]), "skema 'NO-SUCH' tidak dikenal", scheme="NO-SUCH")


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    _refused(tmp_path, tmp_path / "absent.csv", "tidak ditemukan")


def test_it_refuses_a_binary_file(tmp_path: Path) -> None:
    bad = tmp_path / "binary.csv"
    bad.write_bytes(b"\xff\xfe\x00n\x00i\x00k\x00\n\x00\x00\x01")
    _refused(tmp_path, bad, "biner")


def test_it_refuses_an_intake_with_only_a_header(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("nik,kk,name,sex,birth_place,birth_date,address,village_code\n", encoding="utf-8")
    _refused(tmp_path, empty, "tidak ada baris data")


def test_it_refuses_a_registry_with_a_repeated_person_id(tmp_path: Path) -> None:
    reg = registry_file(tmp_path)
    lines = reg.read_text(encoding="utf-8").splitlines()
    reg.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=r"person_id 'A1' muncul dua kali"):
        call_command("screen", str(intake_file(tmp_path, [person_row("B1")])), scheme="BLT-DD", registry=str(reg),
                     rolls=str(rolls_file(tmp_path)), output=str(out), quiet=True)
    assert not out.exists()


def test_each_explanation_renders_the_same_in_indonesian_and_fully_in_english(tmp_path: Path) -> None:
    """The file's sentence (Bahasa Indonesia, fixed by the contract) is the kept Text rendered
    without translation; through the English catalogue no Indonesian wording is left."""
    from django.utils import translation

    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue
    from pendopo.aid.screening import render
    from pendopo.testdata.screening import scenario

    paths = scenario(1500, 200, seed=5).write(tmp_path)
    with ScreenJob(default_catalogue(), "BLT-DD") as job:
        job.registry_file(paths["registry"])
        job.rolls_file(paths["rolls"])
        job.intake_file(paths["intake"])
        outcomes = job.run()
    seen = set()
    for o in outcomes:
        assert render(o.text) == o.explanation
        seen.update(r.code for r in o.reasons)
        with translation.override("en"):
            english = render(o.text, translation.gettext)
        assert not {"sudah", "untuk", "penduduk", "baris", "mungkin", "tidak"} & set(english.lower().replace(";", " ").split()), english
    assert len(seen) >= 6, seen


def test_a_typed_nik_is_parsed_only_when_more_than_its_digits_is_read() -> None:
    """16 plain digits are their own digits, unparsed; anything else (a spreadsheet number, a
    quote, spaces, a letter) has the digits ``parse_nik`` finds, and the parse is kept."""
    from pendopo.aid.screening import Typed
    from pendopo.linkage.nik import parse_nik

    clean = Typed.of("3510014107800001", "P", 0)
    assert clean.digits == "3510014107800001" and clean.parsed is None
    assert clean.nik == parse_nik("3510014107800001") and clean.parsed is not None
    for raw in (3510014107800001.0, 3510014107800001, "'3510014107800001", " 3510 0141 0780 0001", "3.51001E+15", "NIK3510014107800001",
                "351001410780000", "", None):
        typed = Typed.of(raw, "", 0)
        assert typed.digits == parse_nik(raw).digits, raw
