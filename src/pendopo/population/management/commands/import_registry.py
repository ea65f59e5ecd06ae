"""``pendopo import-registry FILE``: load a civil-registry extract (CSV or XLSX)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.linkage.errors import LinkageError


class Command(BaseCommand):
    help = "Impor ekstrak data kependudukan (CSV/XLSX). / Import a civil-registry extract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        from tqdm import tqdm

        from pendopo.population.importing import registry_import

        bar = tqdm(disable=o["quiet"], unit=" baris", file=sys.stderr, mininterval=0.5, desc="impor / import")

        def progress(done: int, total: int) -> None:
            bar.total = max(total, done)
            bar.n = done
            bar.refresh()

        try:
            result = registry_import(actor=None, path=o["file"], progress=progress)
        except LinkageError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        r = result.record
        self.stdout.write(f"{r.rows} baris dibaca / rows read: {r.created} baru / new, {r.updated} berubah / changed, "
                          f"{r.unchanged} tetap / unchanged, {r.held_back} ditahan / held back (karantina impor #{r.pk}).")
        for line, column, reason in result.problems:
            self.stdout.write(f"  baris data {line}, kolom {column}: {reason}")
        if r.held_back > len(result.problems):
            self.stdout.write(f"  … dan {r.held_back - len(result.problems)} baris lain / more rows")
