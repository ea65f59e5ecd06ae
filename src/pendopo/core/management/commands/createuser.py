from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.core import services
from pendopo.core.roles import Role


class Command(BaseCommand):
    help = "Buat akun. / Create an account: pendopo createuser USERNAME --role ROLE [--unit CODE] [--password P]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", help="kode wilayah (35.10.01.2001) atau kode OPD (DINSOS)")
        parser.add_argument("--password")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            unit = services.resolve_unit(o["unit"])
            user = services.user_create(
                actor=None, username=o["username"], role=o["role"], unit=unit, password=o["password"],
                full_name=o["full_name"], email=o["email"], check_password_strength=False,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        where = f" di {user.unit.name} ({user.unit.code})" if user.unit else ""
        self.stdout.write(f"Akun {user.username} dibuat: {user.get_role_display()}{where}.")
