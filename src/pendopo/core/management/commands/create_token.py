from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.core import services
from pendopo.core.models import User


class Command(BaseCommand):
    help = "Cetak token API baru untuk akun. / Print a new API token for an account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **o: Any) -> None:
        user = User.objects.filter(username=o["username"]).first()
        if user is None:
            raise CommandError(f"Akun '{o['username']}' tidak ditemukan. / no such account.")
        try:
            _, raw = services.token_create(actor=None, user=user, name=o["name"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(raw)
