"""Village letters: time to draw a signed letter's PDF, and the answer time of the public
verification page and the resident's request page, on the demo registry (20,000 residents)
with 2,000 letters signed in one village. Server-side, in process (Django's test client, no
network), medians and p95 of repeated requests.

    .venv/bin/python bench/bench_letters.py [--letters 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=2000)
    ap.add_argument("--database-url")
    a = ap.parse_args()
    data = tempfile.mkdtemp(prefix="pendopo-bench-letters-")
    os.environ["PENDOPO_DATA_DIR"] = data
    os.environ.setdefault("DATABASE_URL", a.database_url or f"sqlite:///{data}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pendopo.settings"
    pendopo = [sys.executable, "-m", "pendopo.cli"]
    subprocess.run([*pendopo, "migrate", "-v", "0"], check=True, cwd=ROOT)
    subprocess.run([*pendopo, "demo-data", "--residents", "20000", "--quiet"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    import django

    django.setup()
    from django.test import Client

    from pendopo.core.models import User
    from pendopo.letters import services
    from pendopo.letters.models import LetterRequest, LetterType, RequestSource
    from pendopo.letters.pdf import letter_pdf
    from pendopo.population.models import Resident

    operator = User.objects.get(username="operator.kembiritan")
    head = User.objects.get(username="kades.kembiritan")
    dom = LetterType.objects.get(code="DOM")
    people = list(Resident.objects.filter(village_id="35.10.09.2001", status="alive").exclude(occupation="").order_by("id"))
    t0 = time.perf_counter()
    signed = []
    for i in range(a.letters):
        p = people[i % len(people)]
        req = services.letter_request_submit(actor=operator, resident=p, letter_type=dom, purpose=f"keperluan {i}",
                                             data={"sejak": "2010"}, source=RequestSource.COUNTER)
        services.letter_request_check(actor=operator, request=req, approve=True, attachments_seen=dom.attachments)
        signed.append(services.letter_sign(actor=head, request=req))
    per_letter = (time.perf_counter() - t0) / a.letters
    req = signed[-1]
    body = services.render_body(services.template_for(dom, req.village_id), services.context_for(req, number=req.number, head=req.signer_name))
    render = []
    for _ in range(50):
        s = time.perf_counter()
        letter_pdf(req, body)
        render.append(time.perf_counter() - s)
    c = Client()
    verify = []
    for r in signed[:300]:
        s = time.perf_counter()
        resp = c.get(f"/verifikasi/{r.code}/")
        verify.append(time.perf_counter() - s)
        assert resp.status_code == 200
    resident = signed[0].resident
    user = resident.user
    if user is None:
        services.resident_pin_issue(actor=operator, resident=resident)
        resident.refresh_from_db()
        user = resident.user
    c.force_login(user)
    page = []
    mine = LetterRequest.objects.filter(resident=resident).first()
    assert mine is not None
    for _ in range(200):
        s = time.perf_counter()
        assert c.get(f"/surat/{mine.pk}/").status_code == 200
        page.append(time.perf_counter() - s)
        s = time.perf_counter()
        assert c.get("/surat/").status_code == 200
        page.append(time.perf_counter() - s)

    def ms(values: list[float], q: float) -> float:
        values = sorted(values)
        return round(1000 * values[min(len(values) - 1, int(q * (len(values) - 1)))], 1)

    print(f"letters signed: {a.letters} ({1000 * per_letter:.0f} ms each: request, check, number, PDF, audit)")
    print(f"PDF render: median {1000 * statistics.median(render):.1f} ms, p95 {ms(render, 0.95)} ms")
    print(f"verification page: median {ms(verify, 0.5)} ms, p95 {ms(verify, 0.95)} ms")
    print(f"resident's request pages: median {ms(page, 0.5)} ms, p95 {ms(page, 0.95)} ms")


if __name__ == "__main__":
    main()
