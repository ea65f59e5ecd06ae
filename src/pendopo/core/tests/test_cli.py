from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pendopo.core.auth import user_for_token
from pendopo.core.models import User


def test_createuser_and_create_token_follow_the_contract(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("createuser", "op1", "--role", "village_operator", "--unit", "35.10.09.2001", "--password", "rahasia")
    call_command("createuser", "ds1", "--role", "dinsos", "--unit", "dinsos")
    capsys.readouterr()
    call_command("create_token", "op1")
    raw = capsys.readouterr().out.strip()
    assert user_for_token(raw) == User.objects.get(username="op1")
    assert User.objects.get(username="ds1").unit.code == "DINSOS"


def test_createuser_refuses_an_unknown_unit(db: None) -> None:
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("createuser", "x", "--role", "village_operator", "--unit", "99.99.99.9999")


def _pendopo(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pendopo.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def test_the_command_line_end_to_end_on_a_fresh_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "PENDOPO_DATA_DIR": str(tmp_path)}
    assert _pendopo(["migrate", "-v", "0"], env).returncode == 0
    bad = tmp_path / "rusak.csv"
    bad.write_text("code,name,level,parent_code\n35,Jawa Timur,province,\n35.1x,Salah,regency,35\n")
    r = _pendopo(["load-regions", str(bad)], env)
    assert r.returncode != 0
    assert "rusak.csv: baris 3, kolom code" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    r = _pendopo(["createuser", "op", "--role", "village_operator", "--unit", "35.10.09.2001"], env)
    assert r.returncode == 0, r.stderr
    r = _pendopo(["create-token", "op"], env)
    assert r.returncode == 0 and r.stdout.strip().startswith("pdp_")
    assert _pendopo([], env).stdout.startswith("Pendopo")


def test_serve_builds_the_screening_index_once_and_the_workers_answer(tmp_path: Path) -> None:
    """`pendopo serve` loads the app in the master and builds the screening index there before
    forking (the workers share it); a screening through the API then answers at once."""
    import json
    import socket
    import time
    import urllib.error
    import urllib.request

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "PENDOPO_DATA_DIR": str(tmp_path),
           "PENDOPO_TASK_WORKER": "0"}
    assert _pendopo(["migrate", "-v", "0"], env).returncode == 0
    assert _pendopo(["demo-data", "--residents", "300", "--quiet"], env).returncode == 0
    assert _pendopo(["createuser", "ds", "--role", "dinsos", "--unit", "dinsos"], env).returncode == 0
    token = _pendopo(["create-token", "ds"], env).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "pendopo.cli", "serve", "--port", str(port), "--workers", "2", "--threads", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        log = ""
        deadline = time.monotonic() + 90
        while "Booting worker" not in log or log.count("Booting worker") < 2:
            assert time.monotonic() < deadline, log
            log += server.stderr.readline()  # type: ignore[union-attr]
        assert "screening index ready, shared by the workers" in log  # built once, in the master
        body = json.dumps({"scheme": "BLT-DD", "nik": "3510010101900001", "name": "Orang Tidak Dikenal",
                           "village_code": "35.10.09.2001"}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/aid/screenings", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 - our own server
                answer = json.loads(r.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(exc.read().decode()) from exc
        assert answer["decision"] in {"accept", "reject", "review"}
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
