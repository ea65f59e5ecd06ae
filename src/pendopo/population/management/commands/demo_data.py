from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from pendopo.core import services as core_services
from pendopo.core.models import Unit, User
from pendopo.population import services
from pendopo.population.models import Resident

DEMO_PASSWORD = "pendopo-demo"  # noqa: S105 - printed on the console for the demo accounts
DEMO_VILLAGE = "35.10.09.2001"  # Kembiritan, Kecamatan Genteng
OTHER_VILLAGE = "35.10.09.2004"  # Setail, Kecamatan Genteng
DEMO_ACCOUNTS = [
    ("admin", "admin", None, "Administrator Pendopo", "Diskominfo"),
    ("bupati", "regent_office", "35.10", "Staf Khusus Bupati", "Kantor Bupati"),
    ("dinsos", "dinsos", "DINSOS", "Rina Wulandari", "Kepala Seksi Perlindungan Jaminan Sosial"),
    ("kadinkes", "agency_head", "DINKES", "dr. Hendra Kurniawan", "Kepala Dinas Kesehatan"),
    ("staf.dinkes", "agency_staff", "DINKES", "Nur Hasanah", "Staf Bidang Pelayanan Kesehatan"),
    ("pkm.kembiritan", "agency_staff", "PKM-KEMBIRITAN", "Siti Aminah", "Bidan Puskesmas Kembiritan"),
    ("camat.genteng", "kecamatan_officer", "35.10.09", "Agus Setiawan", "Kasi Pemerintahan Kecamatan Genteng"),
    ("kades.kembiritan", "village_head", DEMO_VILLAGE, "H. Slamet Riyadi", "Kepala Desa Kembiritan"),
    ("operator.kembiritan", "village_operator", DEMO_VILLAGE, "Dewi Lestari", "Operator Desa Kembiritan"),
    ("operator.setail", "village_operator", OTHER_VILLAGE, "Bayu Pratama", "Operator Desa Setail"),
    ("warga", "resident", DEMO_VILLAGE, "", "Warga Desa Kembiritan"),
]


class Command(BaseCommand):
    help = "Buat akun contoh dan penduduk sintetis. / Create demo accounts and a synthetic population."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=20000, help="jumlah penduduk (bawaan 20000; seluruh kabupaten 1800000)")
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument("--no-accounts", action="store_true")
        parser.add_argument("--quiet", action="store_true", help="tanpa bilah kemajuan / no progress bar")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["residents"] < 0:
            raise CommandError("--residents harus 0 atau lebih.")
        if not Unit.objects.filter(code=DEMO_VILLAGE).exists():
            raise CommandError("Wilayah Banyuwangi belum dimuat; jalankan 'pendopo migrate' dulu.")
        core_services.agencies_load(actor=None)
        started = time.perf_counter()
        if Resident.objects.exists():
            self.stdout.write(f"Penduduk sudah ada ({Resident.objects.count():,} orang); pembuatan penduduk dilewati.".replace(",", "."))
        elif o["residents"]:
            bar = tqdm(total=o["residents"], unit=" penduduk", disable=o["quiet"], mininterval=0.5)

            def progress(done: int) -> None:
                bar.update(done - bar.n)

            n, f = services.demo_population_generate(actor=None, residents=o["residents"], seed=o["seed"], progress=progress)
            bar.close()
            self.stdout.write(f"{n:,} penduduk dalam {f:,} KK dibuat".replace(",", ".") + f" dalam {time.perf_counter() - started:.1f} s.")
        if not o["no_accounts"]:
            self._accounts()

    @transaction.atomic
    def _accounts(self) -> None:
        rows = []
        for username, role, unit_code, full_name, position in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                unit = core_services.resolve_unit(unit_code)
                user = core_services.user_create(
                    actor=None, username=username, role=role, unit=unit, password=DEMO_PASSWORD,
                    full_name=full_name, position=position, check_password_strength=False,
                )
            if role == "resident" and not hasattr(user, "resident"):
                resident = Resident.objects.filter(village_id=DEMO_VILLAGE, status="alive", user__isnull=True).order_by("id").first()
                if resident is not None:
                    resident.user = user
                    resident.save(update_fields=["user"])
                    user.full_name = resident.name
                    user.save(update_fields=["full_name"])
            rows.append((username, user.get_role_display(), user.unit.name if user.unit else "—"))
        width = max(len(r[0]) for r in rows)
        self.stdout.write(f"\nAkun contoh / demo accounts (kata sandi / password: {DEMO_PASSWORD})")
        for username, role, unit in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} · {unit}")
