"""``pendopo screen`` (contract: shared/contracts/screening.md): its arguments, and its file mode,
which runs without Django.

With ``--registry`` and ``--rolls`` a screening reads and writes only files. ``pendopo.cli``
runs it here before Django is set up: setting Django up imports every app's models and pages
(0.4 s and 40 MB) for a job that never opens the database. Without them the management command
``screen`` screens against the database. Both take their arguments from ``add_arguments``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pendopo.linkage.errors import InputError, LinkageError, internal_error_line
from pendopo.linkage.progress import progress_bar

HELP = "Saring usulan penerima bantuan terhadap data kependudukan dan daftar penerima. / Screen an intake against the registry and the rolls."
INTERRUPTED = "dihentikan; tidak ada keluaran yang ditulis / interrupted, nothing written"
# DuckDB's memory for a screening (``--memory-limit``): a 2M-person screening's key hits and
# comparison fit in 1.5 GB without spilling to disk (at 1 GB they spilled 300 MB; in process
# 9.3 s against 8.5 s), and its peak stays under 1.3 GB since the rows as typed are dropped once
# prepared (``ScreenJob._release_inputs``).
SCREEN_MEMORY = "1.5GB"
BOTH_OR_NEITHER = ("--registry dan --rolls dipakai bersama, atau keduanya tidak dipakai (mode basis data) / "
                   "give both --registry and --rolls, or neither")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("intake")
    parser.add_argument("--scheme", required=True)
    parser.add_argument("--registry")
    parser.add_argument("--rolls")
    parser.add_argument("--output", required=True)
    parser.add_argument("--rules", help="katalog skema dan matriks tumpang tindih (TOML) / scheme catalogue (TOML)")
    parser.add_argument("--memory-limit", default=os.environ.get("PENDOPO_LINK_MEMORY", SCREEN_MEMORY))
    parser.add_argument("--quiet", action="store_true")


@dataclass
class FileResult:
    rows: int
    counts: Counter[str]

    def summary(self, output: str) -> str:
        counts = self.counts
        return (f"{self.rows} baris disaring / rows screened: {counts.get('accept', 0)} diterima / accepted, "
                f"{counts.get('reject', 0)} ditolak / rejected, {counts.get('review', 0)} perlu diperiksa / review → {output}")


def check_exists(**paths: str | None) -> None:
    for label, path in paths.items():
        if path is not None and not Path(path).exists():
            raise InputError(f"berkas {label} tidak ditemukan / file not found", file=path)


def screen_files(*, intake: str, scheme: str, registry: str, rolls: str, output: str, rules: str | None = None,
                 memory_limit: str = SCREEN_MEMORY, progress: bool = False) -> FileResult:
    """``pendopo screen`` against a registry file and a rolls file: no database is touched."""
    from pendopo.aid.batch import ScreenJob
    from pendopo.aid.rules import default_catalogue, load_rules

    check_exists(intake=intake, registry=registry, rolls=rolls)
    catalogue = load_rules(rules) if rules else default_catalogue()
    tick, done = progress_bar(progress)
    try:
        with ScreenJob(catalogue, scheme, memory_limit=memory_limit, progress=tick) as job:
            job.registry_file(registry)
            job.rolls_file(rolls)
            job.intake_file(intake)
            counts = job.run_to_file(output)
    finally:
        done()
    return FileResult(sum(counts.values()), counts)


def main(argv: Sequence[str]) -> int | None:
    """The file mode of ``pendopo screen ARGS``: its exit status, or None when the arguments
    ask for the database mode (the management command then runs)."""
    parser = argparse.ArgumentParser(prog="pendopo screen", description=HELP)
    add_arguments(parser)
    args: Any = parser.parse_args(argv)
    if args.registry is None and args.rolls is None:
        return None
    import duckdb

    from pendopo.aid.rules import RulesError

    try:
        if bool(args.registry) != bool(args.rolls):
            raise InputError(BOTH_OR_NEITHER)
        result = screen_files(intake=args.intake, scheme=args.scheme, registry=args.registry, rolls=args.rolls, output=args.output,
                              rules=args.rules, memory_limit=args.memory_limit, progress=not args.quiet)
    except (LinkageError, RulesError) as exc:
        print(f"pendopo screen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"pendopo screen: {INTERRUPTED}", file=sys.stderr)
        return 1
    except MemoryError:
        print("pendopo screen: memori tidak cukup; turunkan --memory-limit / out of memory", file=sys.stderr)
        return 1
    except duckdb.OutOfMemoryException:
        print(f"pendopo screen: --memory-limit {args.memory_limit} tidak cukup untuk data ini; naikkan / DuckDB's memory limit is too low",
              file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: one line for the user, details on request (as `pendopo link`)
        if os.environ.get("PENDOPO_DEBUG"):
            raise
        print(internal_error_line("pendopo screen", exc), file=sys.stderr)
        return 1
    print(result.summary(args.output), file=sys.stderr)
    return 0
