from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pendopo.core.models import ApiToken


class Command(BaseCommand):
    help = "Daftar token API. / List API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?")

    def handle(self, *args: Any, **o: Any) -> None:
        qs = ApiToken.objects.select_related("user").order_by("id")
        if o["username"]:
            qs = qs.filter(user__username=o["username"])
        for t in qs:
            state = "berlaku" if t.is_live else f"dicabut {t.revoked_at:%Y-%m-%d}"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-"
            self.stdout.write(f"{t.pk}\t{t.prefix}…\t{t.user.username}\t{t.name}\t{state}\tterakhir dipakai {used}")
