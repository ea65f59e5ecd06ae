from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.core import services
from pendopo.core.models import User


class Command(BaseCommand):
    help = "Atur ulang kata sandi; cetak kata sandi sementara. / Reset a password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **o: Any) -> None:
        user = User.objects.filter(username=o["username"]).first()
        if user is None:
            raise CommandError(f"Akun '{o['username']}' tidak ditemukan.")
        self.stdout.write(services.user_password_reset(actor=None, user=user))  # type: ignore[arg-type]
