from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pendopo.core import services
from pendopo.core.models import ApiToken


class Command(BaseCommand):
    help = "Cabut token API (ID dari 'pendopo tokens'). / Revoke an API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("token_id", type=int)

    def handle(self, *args: Any, **o: Any) -> None:
        token = ApiToken.objects.filter(pk=o["token_id"]).first()
        if token is None:
            raise CommandError(f"Token {o['token_id']} tidak ditemukan.")
        services.token_revoke(actor=None, token=token)
        self.stdout.write(f"Token {token.prefix}… dicabut.")
