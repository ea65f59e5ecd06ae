"""The ``pendopo`` command: what operators of the platform run.

``pendopo load-regions FILE`` runs the management command ``load_regions``; any Django command
works too (``pendopo check``). Without arguments it lists Pendopo's own commands.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

COMMANDS = [
    ("serve [--host H] [--port P] [--workers N]", "server produksi (gunicorn) / production web server"),
    ("migrate", "buat atau perbarui basis data (DATABASE_URL) / create or upgrade the database"),
    ("load-regions FILE", "muat wilayah Kemendagri (CSV) / load Kemendagri regions"),
    ("demo-data [--residents N]", "akun dan penduduk contoh / demo accounts and synthetic population"),
    ("demo-aid", "penerima bantuan contoh / demo scheme holders"),
    ("db-worker", "pekerja tugas latar (tanpa serve) / the background task worker (serve starts one)"),
    ("createuser USERNAME --role ROLE [--unit CODE] [--password P]", "buat akun / create an account"),
    ("create-token USERNAME [--name NAME]", "cetak token API baru / print a new API token"),
    ("tokens [USERNAME]", "daftar token API / list API tokens"),
    ("revoke-token ID", "cabut token API / revoke an API token"),
    ("reset-password USERNAME", "kata sandi sementara / temporary password"),
    ("import-registry FILE", "impor ekstrak data kependudukan / import a civil-registry extract"),
    ("import-roll FILE", "impor daftar penerima bantuan / import scheme holders"),
    ("screen INTAKE --scheme CODE [--registry R --rolls R] --output D", "saring usulan bantuan / screen aid proposals"),
    ("link match LEFT RIGHT --output PAIRS", "cocokkan dua daftar orang / link two person lists"),
    ("link dedupe FILE --output CLUSTERS", "cari duplikat dalam satu daftar / find duplicates in one list"),
]


def finish(status: int | None, *, process: bool) -> NoReturn:
    """End a command that reads and writes only files (``link``, ``screen`` on files). As the
    process's own command (``process``), without the interpreter's teardown: its output is
    written and closed and nothing is left to release, while freeing the caches and objects of
    a job over millions of people took 0.4 s at exit. Called in process (tests), an ordinary
    ``SystemExit``."""
    if not process:
        sys.exit(status)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)


def main(argv: list[str] | None = None) -> None:
    process = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pendopo.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print("Pendopo — perintah / commands:\n")
        for usage, text in COMMANDS:
            print(f"  pendopo {usage}\n      {text}")
        print("\nSemua perintah Django juga tersedia / every Django command works too (pendopo check, pendopo shell).")
        return
    if process and argv[0] in {"link", "screen"}:
        # One job, then ``finish``: Python's cyclic collector has nothing to find in it (the jobs
        # make no cycles) and, once a job re-enabled it, its first pass went over every object
        # the job had made (0.28 s at 2M people, just before exiting).
        gc.disable()
    if argv[0] == "link":
        # The identity engine needs no database and no Django.
        from pendopo.linkage.cli import main as link_main

        finish(link_main(argv[1:]), process=process)
    if argv[0] == "screen":
        # A screening of files needs no database and no Django (its database mode does).
        from pendopo.aid.screen_cli import main as screen_main

        status = screen_main(argv[1:])
        if status is not None:
            finish(status, process=process)
        if process:
            gc.enable()  # the database mode: Django's command, as any other
    command = argv[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pendopo", command, *argv[1:]])


if __name__ == "__main__":
    main()
