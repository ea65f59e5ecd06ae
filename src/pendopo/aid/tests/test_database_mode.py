"""The database mode of the contract: import-registry, import-roll, screen without files, and
``POST /api/v1/aid/screenings`` (token, scope, record, ALREADY_PROPOSED)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client

from pendopo.aid.models import Holding, Proposal, RollRow
from pendopo.aid.tests.helpers import (
    PEOPLE,
    intake_file,
    person_row,
    read_decisions,
    registry_file,
)
from pendopo.core import services as core_services
from pendopo.core.models import AuditEvent
from pendopo.core.testing import Personas
from pendopo.population.models import FamilyMembership, QuarantinedRow, Resident

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_registry_import_loads_people_families_and_statuses(loaded: Path) -> None:
    assert Resident.objects.count() == len(PEOPLE)
    a2 = Resident.objects.get(external_id="A2")
    assert FamilyMembership.objects.get(resident=a2, valid_to__isnull=True).family.kk_number.endswith("001")
    assert Resident.objects.get(external_id="B2").status == "deceased"


def test_re_importing_the_same_file_changes_nothing(loaded: Path) -> None:
    before = AuditEvent.objects.filter(action="resident.update").count()
    call_command("import_registry", str(loaded / "registry.csv"), quiet=True)
    assert AuditEvent.objects.filter(action="resident.update").count() == before
    assert FamilyMembership.objects.count() == len(PEOPLE)


def test_an_updated_file_records_the_change_as_history(loaded: Path) -> None:
    text = (loaded / "registry.csv").read_text(encoding="utf-8")
    b1 = person_row("B1")
    # B1 moves to a new family card, and A1 dies.
    text = text.replace(f"B1,{b1['nik']},{b1['kk']}", f"B1,{b1['nik']},3510091203159999")
    lines = [ln.replace(",alive", ",deceased") if ln.startswith("A1,") else ln for ln in text.splitlines()]
    (loaded / "registry2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_registry", str(loaded / "registry2.csv"), quiet=True)
    b1r = Resident.objects.get(external_id="B1")
    history = list(FamilyMembership.objects.filter(resident=b1r).order_by("valid_from", "id"))
    assert [m.family.kk_number for m in history][-1] == "3510091203159999"
    assert history[0].valid_to is not None
    a1 = Resident.objects.get(external_id="A1")
    assert a1.status == "deceased" and a1.status_changed_on is not None
    # The registry announced the death: the father's BST is flagged for exit, and still counts
    # for his family until Dinas Sosial ends it.
    bst = Holding.objects.get(resident=a1)
    assert bst.status == "exit" and "meninggal" in bst.exit_reason
    assert AuditEvent.objects.filter(action="aid.holding.flag_exit", object_id=str(bst.pk)).exists()
    call_command("screen", str(intake_file(loaded, [person_row("A2")])), scheme="BLT-DD", output=str(loaded / "d.csv"), quiet=True)
    assert read_decisions(loaded / "d.csv")[0]["reasons"] == "COVERED"


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "two-worker-processes"])
def test_bad_rows_go_to_the_quarantine_and_good_rows_still_load(tmp_path: Path, db: None, settings, workers: int) -> None:  # type: ignore[no-untyped-def]
    settings.REGISTRY_IMPORT_WORKERS = workers  # large files are checked in worker processes: the same answers
    reg = registry_file(tmp_path)
    lines = reg.read_text(encoding="utf-8").splitlines()
    a1 = lines[1].split(",")
    wrong_birth = [*a1[:1], a1[1][:6] + "010101" + a1[1][12:], *a1[2:]]  # NIK birth digits disagree
    lines += [",".join(["X1", *wrong_birth[1:]]).replace("Slamet Riyadi", "Orang Lain"),
              "X2,3510091203150077,3510091203150001,Tanpa NIK Sah,L,Banyuwangi,1970-01-01,,35.10.09.2001,alive",
              lines[2].replace("A2,", "X3,")]  # the same NIK twice in one file
    reg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_registry", str(reg), quiet=True)
    assert Resident.objects.count() == len(PEOPLE)
    reasons = dict(QuarantinedRow.objects.values_list("data__person_id", "reason"))
    assert "tidak cocok dengan tanggal lahir" in reasons["X1"]
    assert "X2" in reasons and "NIK sama dengan baris" in reasons["X3"]


def test_a_first_load_builds_the_deferred_indexes_again(tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large first load drops the random-order indexes and builds them at the end, in the same
    transaction (on PostgreSQL after the pending foreign-key checks); a small file keeps them."""
    from django.db import connection

    from pendopo.population import importing

    def constraints() -> dict[str, dict[str, object]]:
        with connection.cursor() as cur:
            return {name: {k: v for k, v in c.items() if k in ("columns", "unique", "foreign_key", "primary_key", "index")}
                    for m in importing.LOADED for name, c in connection.introspection.get_constraints(cur, m._meta.db_table).items()}

    before = constraints()
    assert importing._registry_empty()  # on PostgreSQL every index but the primary keys goes
    monkeypatch.setattr(importing, "DEFER_INDEXES_FROM", 1)
    call_command("import_registry", str(registry_file(tmp_path)), quiet=True)
    assert Resident.objects.count() == len(PEOPLE)
    assert set(importing.DEFERRED_INDEXES) <= set(constraints())
    assert constraints() == before  # every index, unique constraint and foreign key is back, the same
    assert Resident.objects.filter(name__startswith="S").order_by("village", "name").exists()
    first = Resident.objects.order_by("pk").first()
    assert first is not None
    with pytest.raises(IntegrityError), transaction.atomic():  # still unique
        Resident.objects.create(nik=first.nik, name="Dua Kali", sex="L", birth_date=first.birth_date, village_id=first.village_id)


def test_a_registry_without_a_required_column_is_refused_whole(tmp_path: Path, db: None) -> None:
    bad = tmp_path / "reg.csv"
    bad.write_text("person_id,nik,name\nA,3510091203150001,Budi\n", encoding="utf-8")
    with pytest.raises(CommandError, match="kolom wajib 'kk' tidak ada"):
        call_command("import_registry", str(bad), quiet=True)
    assert Resident.objects.count() == 0


def test_roll_rows_become_holdings_and_unknown_schemes_are_held_back(loaded: Path) -> None:
    assert Holding.objects.count() == 5
    rolls = loaded / "rolls2.csv"
    rolls.write_text("nik,kk,name,sex,birth_place,birth_date,address,village_code,scheme\n"
                     ",,Orang Asing Sekali,L,,1999-01-01,,35.10.09.2001,PKH\n"
                     f"{person_row('B1')['nik']},,Siti Aminah,P,,,,,NO-SUCH\n", encoding="utf-8")
    call_command("import_roll", str(rolls), quiet=True)
    assert RollRow.objects.filter(status="unresolved").count() == 1  # queued for reconciliation, not dropped
    assert Holding.objects.count() == 5


def test_database_mode_screens_like_file_mode(loaded: Path) -> None:
    rows = [person_row(pid) for pid in PEOPLE]
    intake = intake_file(loaded, rows)
    call_command("screen", str(intake), scheme="BLT-DD", output=str(loaded / "db.csv"), quiet=True)
    call_command("screen", str(intake), scheme="BLT-DD", registry=str(loaded / "registry.csv"), rolls=str(loaded / "rolls.csv"),
                 output=str(loaded / "files.csv"), quiet=True)
    db_mode = [(d["decision"], d["reasons"]) for d in read_decisions(loaded / "db.csv")]
    file_mode = [(d["decision"], d["reasons"]) for d in read_decisions(loaded / "files.csv")]
    assert db_mode == file_mode
    assert ("reject", "COVERED") in db_mode


# --- the HTTP endpoint -------------------------------------------------------------------

def _bearer(user: object) -> dict[str, str]:
    _, raw = core_services.token_create(actor=None, user=user)  # type: ignore[arg-type]
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(headers: dict[str, str], body: dict[str, object]) -> tuple[int, dict[str, object]]:
    r = Client().post("/api/v1/aid/screenings", body, content_type="application/json", **headers)
    return r.status_code, r.json()


def test_the_api_screens_one_person_with_reasons(loaded: Path, personas: Personas) -> None:
    status, body = _post(_bearer(personas.village_operator), {**person_row("A2"), "scheme": "BLT-DD"})
    assert status == 200
    assert body["decision"] == "reject" and body["person_id"] == "A2"
    assert body["reasons"][0] == {"code": "COVERED", "message": body["reasons"][0]["message"], "scheme": "BST", "person_id": "A1"}
    assert not Proposal.objects.exists()  # nothing written without "record"
    assert AuditEvent.objects.filter(action="aid.screen", actor=personas.village_operator).exists()


def test_the_api_needs_a_token_and_keeps_to_the_account_scope(loaded: Path, personas: Personas) -> None:
    assert _post({}, {**person_row("B1"), "scheme": "BLT-DD"})[0] == 401
    assert _post({"HTTP_AUTHORIZATION": "Bearer pdp_salah"}, {**person_row("B1"), "scheme": "BLT-DD"})[0] == 401
    assert _post(_bearer(personas.other_operator), {**person_row("B1"), "scheme": "BLT-DD"})[0] == 403
    assert _post(_bearer(personas.resident), {**person_row("B1"), "scheme": "BLT-DD"})[0] == 403
    assert _post(_bearer(personas.dinsos), {**person_row("B1"), "scheme": "BLT-DD"})[0] == 200


def test_recording_a_proposal_rejects_the_next_one_of_the_same_family(loaded: Path, personas: Personas) -> None:
    headers = _bearer(personas.village_operator)
    status, first = _post(headers, {**person_row("E2"), "scheme": "PRAKERJA", "record": True})
    assert (status, first["decision"]) == (200, "accept")
    _, again = _post(headers, {**person_row("E2"), "scheme": "PRAKERJA"})
    assert again["decision"] == "reject" and [r["code"] for r in again["reasons"]] == ["ALREADY_PROPOSED"]
    # A family scheme: the wife is proposed, then the husband of the same KK.
    _, wife = _post(headers, {**person_row("F2"), "scheme": "BLT-DD", "record": True})
    assert wife["decision"] == "accept"
    _, other = _post(headers, {**person_row("F1"), "scheme": "BLT-DD", "record": True})
    assert other["decision"] == "reject" and "ALREADY_PROPOSED" in [r["code"] for r in other["reasons"]]
    assert Proposal.objects.filter(unit_key__isnull=False).count() == 2


def test_the_database_keeps_one_proposal_when_two_submissions_race(loaded: Path, personas: Personas) -> None:
    """Both submissions passed the ALREADY_PROPOSED check before either wrote (the race): the
    unique constraint on (scheme, period, unit key) lets only the first write land, and the
    second is answered ALREADY_PROPOSED. (A threaded version needs PostgreSQL; SQLite's test
    database is one in-memory file that serialises writers anyway.)"""
    from pendopo.aid import services
    from pendopo.aid.models import Scheme
    from pendopo.aid.screening import Decision, Outcome, RegistryPerson

    scheme = Scheme.objects.get(code="BLT-DD")
    resident = Resident.objects.get(external_id="B1")
    kk = FamilyMembership.objects.get(resident=resident, valid_to__isnull=True).family.kk_number
    person = RegistryPerson("B1", resident.nik, kk, "alive")
    outcome = Outcome(Decision.ACCEPT, [], "B1", 1.0, "Diterima")
    first = services._record(personas.village_operator, scheme, resident, person, outcome, {}, "api")
    second = services._record(personas.village_head, scheme, resident, person, outcome, {}, "api")
    assert first is not None and second is None
    assert Proposal.objects.filter(unit_key__isnull=False).count() == 1


def test_the_api_answers_bad_input_with_a_clear_message(loaded: Path, personas: Personas) -> None:
    headers = _bearer(personas.dinsos)
    status, body = _post(headers, {**person_row("B1"), "scheme": "NO-SUCH"})
    assert status == 400 and "Skema 'NO-SUCH' tidak dikenal" in str(body["detail"])
    assert _post(headers, {"name": "Siti Aminah"})[0] == 422  # no scheme
    assert _post(headers, {**person_row("B1"), "scheme": "BLT-DD", "record": "kadang"})[0] == 422
    # A NIK typed as a spreadsheet number is screened, not refused.
    status, body = _post(headers, {**person_row("B1"), "nik": 3.51009e15, "scheme": "BLT-DD"})
    assert status == 200 and body["decision"] == "review" and "NIK_INVALID" in [r["code"] for r in body["reasons"]]
    assert not Proposal.objects.exists()


def test_a_registry_import_killed_midway_leaves_the_registry_as_it_was(tmp_path: Path) -> None:
    """A real kill (SIGKILL) of ``pendopo import-registry`` in a child process, whenever it lands:
    the registry holds either nothing of the file or all of it, never part."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from pendopo.testdata.errors import registry

    rows = registry(30_000, seed=3)
    path = tmp_path / "big.csv"
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].as_dict()))
        w.writeheader()
        w.writerows(r.as_dict() for r in rows)
    db = tmp_path / "kill.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PENDOPO_DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "pendopo.cli"]
    subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True, capture_output=True)
    child = subprocess.Popen([*cmd, "import-registry", str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 120
    # kill once the writes have begun (the write-ahead log grows), before the import ends
    while child.poll() is None and time.monotonic() < deadline and not (wal.exists() and wal.stat().st_size > 2_000_000):
        time.sleep(0.02)
    assert child.poll() is None, "the import ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(db) as con:
        residents = con.execute("SELECT count(*) FROM population_resident").fetchone()[0]
        memberships = con.execute("SELECT count(*) FROM population_familymembership").fetchone()[0]
    assert (residents, memberships) in ((0, 0), (len(rows), len(rows)))
