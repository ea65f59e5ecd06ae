"""``pendopo screen INTAKE --scheme CODE [--registry R --rolls R] --output DECISIONS`` (contract:
shared/contracts/screening.md). Without ``--registry``/``--rolls`` it screens against the
registry and rolls in the database."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.aid.rules import RulesError
from pendopo.linkage.errors import LinkageError


class Command(BaseCommand):
    help = ("Saring usulan penerima bantuan terhadap data kependudukan dan daftar penerima. / Screen an intake "
            "against the registry and the rolls.")

    # The system checks import every page and URL (0.3 s); a screening of files needs none of it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("intake")
        parser.add_argument("--scheme", required=True)
        parser.add_argument("--registry")
        parser.add_argument("--rolls")
        parser.add_argument("--output", required=True)
        parser.add_argument("--rules", help="katalog skema dan matriks tumpang tindih (TOML) / scheme catalogue (TOML)")
        parser.add_argument("--record", action="store_true",
                            help="catat baris yang diterima sebagai usulan (mode basis data) / record accepted rows as proposals")
        parser.add_argument("--memory-limit", default=os.environ.get("PENDOPO_LINK_MEMORY", "1GB"))
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        from pendopo.aid import services

        if bool(o["registry"]) != bool(o["rolls"]):
            raise CommandError("--registry dan --rolls dipakai bersama, atau keduanya tidak dipakai (mode basis data) / "
                               "give both --registry and --rolls, or neither")
        try:
            result = services.screen_file(
                intake=o["intake"], scheme=o["scheme"], registry=o["registry"], rolls=o["rolls"], output=o["output"],
                rules=o["rules"], memory_limit=o["memory_limit"], progress=not o["quiet"], record=o["record"],
            )
        except (LinkageError, RulesError) as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError("dihentikan; tidak ada keluaran yang ditulis / interrupted, nothing written") from None
        counts = result.counts
        print(f"{result.rows} baris disaring / rows screened: {counts.get('accept', 0)} diterima / accepted, "
              f"{counts.get('reject', 0)} ditolak / rejected, {counts.get('review', 0)} perlu diperiksa / review → {o['output']}",
              file=sys.stderr)
