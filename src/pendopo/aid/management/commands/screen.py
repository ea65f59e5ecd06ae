"""``pendopo screen INTAKE --scheme CODE [--registry R --rolls R] --output DECISIONS`` (contract:
shared/contracts/screening.md). Without ``--registry``/``--rolls`` it screens against the
registry and rolls in the database. ``pendopo.cli`` runs the file mode without Django
(``aid/screen_cli.py``); this command runs both, for ``call_command`` and the database mode."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.aid import screen_cli
from pendopo.aid.rules import RulesError
from pendopo.linkage.errors import LinkageError


class Command(BaseCommand):
    help = screen_cli.HELP
    # The system checks import every page and URL (0.3 s); a screening of files needs none of it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        screen_cli.add_arguments(parser)

    def handle(self, *args: Any, **o: Any) -> None:
        from pendopo.aid import services

        if bool(o["registry"]) != bool(o["rolls"]):
            raise CommandError(screen_cli.BOTH_OR_NEITHER)
        try:
            result = services.screen_file(intake=o["intake"], scheme=o["scheme"], registry=o["registry"], rolls=o["rolls"],
                                          output=o["output"], rules=o["rules"], memory_limit=o["memory_limit"], progress=not o["quiet"])
        except (LinkageError, RulesError) as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError(screen_cli.INTERRUPTED) from None
        print(result.summary(o["output"]), file=sys.stderr)
