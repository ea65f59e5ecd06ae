#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11 and pip.

    python3 dev.py demo [--residents N]   set up, migrate, load demo data, serve on :8000
    python3 dev.py test [PYTEST ARGS]     set up and run the whole suite
    python3 dev.py check                  linters and migration check
    python3 dev.py setup                  only create .venv and install
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".pendopo-installed"


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)  # noqa: S603
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Pendopo membutuhkan Python 3.11 atau lebih baru. / Pendopo needs Python 3.11+.")
    wanted = hashlib.sha256((ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("• membuat lingkungan Python di .venv / creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("• memasang dependensi / installing dependencies", flush=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", ROOT / "requirements.lock")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", ROOT)
    STAMP.write_text(wanted)


def demo(args: list[str]) -> None:
    setup()
    residents = "20000"
    if "--residents" in args:
        residents = args[args.index("--residents") + 1]
    print("• menyiapkan basis data SQLite / migrating the SQLite database", flush=True)
    run(BIN / "pendopo", "migrate", "--noinput", "-v", "0")
    print("• data contoh / demo data", flush=True)
    run(BIN / "pendopo", "demo-data", "--residents", residents)
    run(BIN / "pendopo", "demo-aid")
    print("\nPendopo siap di / is ready at http://127.0.0.1:8000/  (Ctrl+C untuk berhenti / to stop)\n", flush=True)
    os.execv(BIN / "pendopo", [str(BIN / "pendopo"), "serve", "--host", "127.0.0.1", "--port", "8000", "--workers", "2"])  # noqa: S606


def test(args: list[str]) -> None:
    setup()
    run(BIN / "python", "-m", "pytest", *args)


def check() -> None:
    setup()
    run(BIN / "ruff", "check", "src", "bench", "dev.py", "tools")
    run(BIN / "mypy")  # --strict on the identity engine (pyproject.toml)
    run(BIN / "pendopo", "makemigrations", "--check", "--dry-run", "-v", "1")


def main() -> None:
    command, *args = sys.argv[1:] or ["help"]
    if command == "setup":
        setup()
    elif command == "demo":
        demo(args)
    elif command == "test":
        test(args)
    elif command == "check":
        check()
    else:
        print(__doc__)


if __name__ == "__main__":
    main()
