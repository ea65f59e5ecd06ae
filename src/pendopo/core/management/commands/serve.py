from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Jalankan server produksi (gunicorn). / Run the production web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("PENDOPO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PENDOPO_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PENDOPO_WORKERS", "0")) or (os.cpu_count() or 1) * 2 + 1)
        parser.add_argument("--threads", type=int, default=int(os.environ.get("PENDOPO_THREADS", "2")))

    def handle(self, *args: Any, **o: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "pendopo.wsgi:application",
            "--bind", f"{o['host']}:{o['port']}", "--workers", str(o["workers"]), "--threads", str(o["threads"]),
            "--access-logfile", "-", "--timeout", "120", "--config", "python:pendopo.gunicorn_conf",
        ]
        self.stdout.write(f"Pendopo melayani di http://{o['host']}:{o['port']}/ ({o['workers']} worker)")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
