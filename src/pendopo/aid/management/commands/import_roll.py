"""``pendopo import-roll FILE``: load the current holders of schemes (the ``scheme`` column)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.linkage.errors import LinkageError


class Command(BaseCommand):
    help = "Impor daftar penerima bantuan (CSV/XLSX). / Import the holders of aid schemes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--memory-limit", default=os.environ.get("PENDOPO_LINK_MEMORY", "1GB"))
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        from pendopo.aid import services
        from pendopo.linkage.progress import progress_bar

        progress, close = progress_bar(not o["quiet"])
        try:
            result = services.roll_import(actor=None, path=o["file"], progress=progress, memory_limit=o["memory_limit"])
        except LinkageError as exc:
            raise CommandError(str(exc)) from None
        finally:
            close()
        r = result.record
        self.stdout.write(f"{r.rows} baris dibaca / rows read: {r.resolved} terpadankan / resolved, {r.queued} ke antrean "
                          f"rekonsiliasi / to reconciliation, {r.held_back} ditahan / held back (impor #{r.pk}).")
        for line, column, reason in result.problems[:20]:
            self.stdout.write(f"  baris data {line}, kolom {column}: {reason}")
