from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.core import services
from pendopo.core.errors import ImportRefused


class Command(BaseCommand):
    help = "Muat berkas wilayah Kemendagri (CSV: code,name,level,parent_code). / Load a region file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--no-units", action="store_true", help="jangan buat unit pemerintahan / do not create government units")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: berkas tidak ditemukan. / file not found.")
        started = time.perf_counter()
        try:
            result = services.region_import(actor=None, data=path.read_bytes(), filename=path.name)
        except ImportRefused as exc:
            raise CommandError(exc.message) from None
        units = 0 if opts["no_units"] else services.units_sync_regency(actor=None)
        self.stdout.write(
            f"{path.name}: {result.total} wilayah — {result.created} baru, {result.updated} diperbarui, "
            f"{result.unchanged} tetap; {units} unit pemerintahan baru ({time.perf_counter() - started:.1f} s)."
        )
