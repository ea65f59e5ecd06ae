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
