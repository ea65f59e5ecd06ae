"""``POST /api/v1/aid/screenings`` under load: gunicorn (``pendopo serve``) on PostgreSQL, 16
concurrent clients with keep-alive connections, each sending the rows of a generated dirty
village intake as fast as answers come back. Also the village form's type-as-you-go preview
(``/bansos/usulan/pratinjau/``) for one signed-in operator.

    .venv/bin/python bench/bench_http.py --residents 200000 --workers 4 --clients 16 --seconds 30 \\
        --database-url postgres://postgres@127.0.0.1:5432/pendopo_bench

The load generator runs on the same 2-core machine as the server, so it takes CPU from it: the
figures are a floor. Latency is measured per request at the client (connect excluded).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PENDOPO, ROOT, fresh_env  # noqa: E402

PORT = 8765


def run(args: list[str], env: dict[str, str]) -> str:
    r = subprocess.run([*PENDOPO, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"pendopo {' '.join(args)} failed:\n{r.stderr[-3000:]}")
    return r.stdout


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn master and workers)."""
    total = 0
    pids = [pid]
    try:
        kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()  # noqa: S607
        pids += [int(k) for k in kids]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def pss_mib(pid: int) -> float:
    """Proportional set size: shared pages counted once across the processes sharing them
    (RSS counts the index the workers share, copy on write, in every worker)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def worker_rss(pid: int) -> list[float]:
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()  # noqa: S607
    out = []
    for k in kids:
        for line in Path(f"/proc/{k}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) / 1024)
    return out


def load(rows: list[dict[str, str]], token: str, clients: int, seconds: float) -> tuple[list[float], dict[str, int], int]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: dict[str, int] = {}
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        n = i
        while time.perf_counter() < stop:
            row = rows[n % len(rows)]
            n += clients
            body = json.dumps({**{k: v for k, v in row.items() if v}, "scheme": "BLT-DD"})
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/aid/screenings", body=body, headers=headers)
                r = conn.getresponse()
                payload = r.read()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                continue
            latencies[i].append(time.perf_counter() - t0)
            key = str(r.status) if r.status != 200 else json.loads(payload)["decision"]
            with lock:
                statuses[key] = statuses.get(key, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for lat in latencies for x in lat], statuses, errors[0]


def load_wrk(rows: list[dict[str, str]], token: str, clients: int, seconds: float) -> dict[str, object]:
    """The same load from wrk (Debian's ``wrk``, C): ``clients`` keep-alive connections on two
    threads, each sending the next row as soon as the answer is in. The Python client spends
    CPU under one interpreter lock on the machine it measures; wrk spends almost none."""
    import shutil

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk tidak terpasang (apt-get install wrk) / wrk is not installed; use --load python")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({**{k: v for k, v in row.items() if v}, "scheme": "BLT-DD"}) + "\n")
        bodies = f.name
    try:
        r = subprocess.run([wrk, "-t", "2", "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "30s",
                            "-s", str(Path(__file__).with_name("screenings.lua")), f"http://127.0.0.1:{PORT}", "--", bodies, token],
                           capture_output=True, text=True, check=True)
    finally:
        os.unlink(bodies)
    line = next(x for x in r.stdout.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def login(username: str, password: str) -> str:
    """A session cookie for ``username`` (the form pages need one)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/masuk/")
    r = conn.getresponse()
    html = r.read().decode()
    cookies = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []}
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    conn.request("POST", "/masuk/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}",
        "Referer": f"http://127.0.0.1:{PORT}/masuk/"})
    r = conn.getresponse()
    r.read()
    for c in r.headers.get_all("Set-Cookie") or []:
        name, value = c.split("=", 1)
        cookies[name] = value.split(";", 1)[0]
    conn.close()
    if "sessionid" not in cookies:
        raise SystemExit("login failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def preview(rows: list[dict[str, str]], cookie: str, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    out = []
    for row in rows[:n]:
        q = urlencode({"scheme": "BLT-DD", "nik": row.get("nik") or "", "name": row.get("name") or "",
                       "village_code": row.get("village_code") or ""})
        t0 = time.perf_counter()
        conn.request("GET", f"/bansos/usulan/pratinjau/?{q}", headers={"Cookie": cookie, "HX-Request": "true"})
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t0)
        if r.status != 200:
            raise SystemExit(f"preview answered {r.status}")
    conn.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=200_000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/pendopo_bench")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse the loaded database of an earlier run")
    ap.add_argument("--load", choices=("wrk", "python", "both"), default="wrk",
                    help="load generator: wrk (C, Debian's package) or this script's Python threads")
    a = ap.parse_args()
    folder = Path(tempfile.gettempdir()) / f"pendopo-bench-screen/{a.residents}-20000-{a.seed}"
    if not (folder / "expected.csv").exists():
        from pendopo.testdata.screening import scenario

        scenario(a.residents, 20_000, seed=a.seed).write(folder)
    env = fresh_env(a.database_url)
    env["PENDOPO_TASK_WORKER"] = "0"
    import psycopg

    base = a.database_url.rsplit("/", 1)[0] + "/postgres"
    name = a.database_url.rsplit("/", 1)[1]
    with psycopg.connect(base, autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not a.keep:
            con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            con.execute(f'CREATE DATABASE "{name}"')
    if not (exists and a.keep):
        t0 = time.perf_counter()
        run(["migrate", "-v", "0"], env)
        run(["import-registry", str(folder / "registry.csv"), "--quiet"], env)
        run(["import-roll", str(folder / "rolls.csv"), "--quiet"], env)
        run(["createuser", "bench.dinsos", "--role", "dinsos", "--unit", "DINSOS", "--password", "bench-password-123"], env)
        print(f"loaded {a.residents:,} residents in {time.perf_counter() - t0:.0f} s", flush=True)
    token = run(["create-token", "bench.dinsos"], env).strip().splitlines()[-1].strip()
    with (folder / "intake.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    server = subprocess.Popen([*PENDOPO, "serve", "--port", str(PORT), "--workers", str(a.workers), "--threads", str(a.threads)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        t0 = time.perf_counter()
        # Every worker builds its index at start; wait until a screening answers quickly on each
        # (the slowest answer of a 3-second probe: one worker still building makes it seconds).
        while True:
            try:
                lat, _s, _e = load(rows[:200], token, a.workers, 3)
                if lat and max(lat) < 0.5:
                    break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(1)
            if time.perf_counter() - t0 > 900:
                raise SystemExit("server did not become ready")
        ready = time.perf_counter() - t0
        per_worker = worker_rss(server.pid)
        kids = [int(k) for k in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()]  # noqa: S607
        pss = [pss_mib(k) for k in kids]
        total_pss = pss_mib(server.pid) + sum(pss)
        load(rows, token, a.clients, 5)  # warm-up
        wrk = load_wrk(rows, token, a.clients, a.seconds) if a.load in {"wrk", "both"} else None
        if wrk is not None:
            print("wrk:", json.dumps({**wrk, "per_second": round(wrk["requests"] / wrk["seconds"], 1)}), flush=True)  # type: ignore[operator]
        if a.load in {"python", "both"}:
            lat, statuses, errors = load(rows, token, a.clients, a.seconds)
        else:
            lat, statuses, errors = load(rows, token, 1, 2)  # a few answers to show the decisions are real
        cookie = login("bench.dinsos", "bench-password-123")
        form = preview(rows, cookie, 300)
        total = len(lat)
        python_client = {
            "requests": total, "per_second": round(total / a.seconds, 1), "errors": errors,
            "p50_ms": round(1000 * percentile(lat, 50), 1), "p95_ms": round(1000 * percentile(lat, 95), 1),
            "p99_ms": round(1000 * percentile(lat, 99), 1), "max_ms": round(1000 * max(lat), 1),
        } if a.load != "wrk" else {}
        print(json.dumps({
            "residents": a.residents, "workers": a.workers, "threads": a.threads, "clients": a.clients,
            "ready_seconds": round(ready, 1), "worker_rss_mib": [round(x) for x in per_worker],
            "worker_pss_mib": [round(x) for x in pss], "server_pss_mib": round(total_pss),
            "wrk": wrk, "python_client": python_client, "decisions": statuses,
            "form_preview_p50_ms": round(1000 * percentile(form, 50), 1), "form_preview_p99_ms": round(1000 * percentile(form, 99), 1),
        }, indent=1))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
