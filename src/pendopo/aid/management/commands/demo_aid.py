from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from pendopo.aid.models import Holding, HoldingStatus, Proposal, ProposalSource, Scheme
from pendopo.core import services as core_services
from pendopo.core.models import User
from pendopo.population.management.commands.demo_data import DEMO_VILLAGE
from pendopo.population.models import FamilyMembership, Relationship, Resident

# Roughly Banyuwangi's shares of families holding each central scheme (a demo, not a statistic).
SHARES = (("PKH", 0.07, ""), ("PKH", 0.01, "hamil"), ("BPNT", 0.06, ""), ("BST", 0.03, ""), ("PRAKERJA", 0.02, ""))
SECOND_OFFICER = ("dinsos.verifikator", "Bambang Sutrisno", "Verifikator Data Terpadu Kesejahteraan Sosial")
DEMO_PROPOSALS = 36  # BLT-DD proposals of the demo village, typed as operators type them


class Command(BaseCommand):
    help = "Penerima bantuan contoh dan petugas Dinas Sosial kedua. / Demo scheme holders and a second Dinas Sosial officer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=20261123)

    @transaction.atomic
    def handle(self, *args: Any, **o: Any) -> None:
        if not User.objects.filter(username=SECOND_OFFICER[0]).exists():
            core_services.user_create(actor=None, username=SECOND_OFFICER[0], role="dinsos", unit=core_services.resolve_unit("DINSOS"),
                                      password="pendopo-demo", full_name=SECOND_OFFICER[1], position=SECOND_OFFICER[2],  # noqa: S106
                                      check_password_strength=False)
        if Holding.objects.exists():
            self.stdout.write("Penerima bantuan sudah ada; dilewati. / Holders exist already; skipped.")
            self._proposals(random.Random(o["seed"]))
            return
        rng = random.Random(o["seed"])
        schemes = {s.code: s for s in Scheme.objects.all()}
        heads = list(FamilyMembership.objects.filter(valid_to__isnull=True, relationship=Relationship.HEAD, resident__status="alive")
                     .order_by("id").values_list("resident_id", flat=True))
        wives = dict(FamilyMembership.objects.filter(valid_to__isnull=True, relationship=Relationship.SPOUSE, resident__status="alive")
                     .values_list("family_id", "resident_id"))
        family_of = dict(FamilyMembership.objects.filter(valid_to__isnull=True, resident_id__in=heads).values_list("resident_id", "family_id"))
        rows: list[Holding] = []
        for head in heads:
            x = rng.random()
            for code, share, component in SHARES:
                if x < share and code in schemes:
                    holder = wives.get(family_of[head], head) if component == "hamil" else head
                    rows.append(Holding(resident_id=holder, scheme=schemes[code], component=component, status=HoldingStatus.ACTIVE))
                    break
                x -= share
        Holding.objects.bulk_create(rows, batch_size=5000)
        self.stdout.write(f"{len(rows):,} penerima bantuan contoh dibuat. / demo holders created.".replace(",", "."))
        self._proposals(rng)

    def _proposals(self, rng: random.Random) -> None:
        """BLT-DD proposals of the demo village, screened as the village form screens them: clean
        rows, a NIK with one wrong digit, a blank NIK, a name in capitals with a title, so the
        lists, the figures and Dinas Sosial's review queue have something to show."""
        from pendopo.aid.services import screening_one

        operator = User.objects.filter(username="operator.kembiritan").first()
        if operator is None or Proposal.objects.exists() or not Scheme.objects.filter(code="BLT-DD").exists():
            return
        adults = list(Resident.objects.filter(village_id=DEMO_VILLAGE, status="alive", birth_date__year__lt=2000).order_by("id")[:2000])
        for i, r in enumerate(rng.sample(adults, min(DEMO_PROPOSALS, len(adults)))):
            nik, name = r.nik, r.name
            if i % 6 == 1:
                nik = nik[:12] + str((int(nik[12]) + 1) % 10) + nik[13:]  # one wrong digit in the serial
            elif i % 6 == 3:
                nik = ""
            elif i % 6 == 5:
                name = f"H. {name.upper()}" if r.sex == "L" else f"HJ. {name.upper()}"
            data = {"scheme": "BLT-DD", "nik": nik, "name": name, "sex": r.sex, "birth_date": r.birth_date.isoformat(),
                    "address": f"Dusun {r.dusun} RT {r.rt} RW {r.rw}", "village_code": DEMO_VILLAGE}
            screening_one(actor=operator, data=data, record=True, source=ProposalSource.FORM)
        counts = {d: Proposal.objects.filter(decision=d).count() for d in ("accept", "reject", "review")}
        self.stdout.write(f"{sum(counts.values())} usulan BLT-DD contoh (diterima {counts['accept']}, ditolak {counts['reject']}, "
                          f"diperiksa {counts['review']}). / demo BLT-DD proposals.")
