"""``pendopo link``: batch linkage from the command line (contract: shared/contracts/linkage.md).

    pendopo link match LEFT RIGHT --output PAIRS [--id COLUMN] [--map ...] [--threshold P]
    pendopo link dedupe FILE --output CLUSTERS [--id COLUMN] [--map ...] [--threshold P]

Unusable input ends with exit status 2 and one line naming the file, row and column; nothing
partial is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from pendopo.linkage.errors import LinkageError, internal_error_line
from pendopo.linkage.index import Thresholds
from pendopo.linkage.io import (
    SHEETS,
    Mapping,
    Table,
    open_table,
    read_records,
    resolve_columns,
    write_csv_atomically,
)
from pendopo.linkage.local import LOCAL_ROWS
from pendopo.linkage.progress import progress_bar
from pendopo.linkage.records import FIELDS

# DuckDB's memory for a link job. Its tables live in memory (decision 27) and spill to a
# temporary directory beyond this: 600 MB keeps a 2M-row registry job under 1 GB in all (at
# 1 GB it is about 1 s of 10.5 s faster and 240 MiB larger, which would cost #3's memory target).
MEMORY_LIMIT = "600MB"

# Headers as Indonesian offices type them, for the hint when a file has none of the person
# columns: the contract ignores other columns, so they are suggested, never taken.
HEADER_HINTS = {
    "nama": "name", "nama_lengkap": "name", "nik_ktp": "nik", "no_nik": "nik", "no_kk": "kk", "nomor_kk": "kk",
    "jenis_kelamin": "sex", "jk": "sex", "tempat_lahir": "birth_place", "tanggal_lahir": "birth_date",
    "tgl_lahir": "birth_date", "alamat": "address", "kode_desa": "village_code", "kode_wilayah": "village_code",
}


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pendopo link", description="Pencocokan data orang / person record linkage")
    sub = ap.add_subparsers(dest="job", required=True)
    for job, files in (("match", ("left", "right")), ("dedupe", ("file",))):
        p = sub.add_parser(job)
        for name in files:
            p.add_argument(name)
        p.add_argument("--output", required=True)
        p.add_argument("--id", default="id", dest="id_column")
        p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
        p.add_argument("--threshold", type=float, default=None, help="peluang minimum 0-1 (bawaan: ambang cocok mesin)")
        p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                       help=f"duckdb (bawaan; pekerjaan di bawah {f'{LOCAL_ROWS:,}'.replace(',', '.')} baris, baris yang dicari dihitung dua kali, "
                            "diproses langsung di Python dengan hasil yang sama) atau spark / duckdb (default; jobs under "
                            f"{LOCAL_ROWS:,} rows, the rows looked up counted twice, run in plain Python with the same answers) or spark")
        p.add_argument("--memory-limit", default=os.environ.get("PENDOPO_LINK_MEMORY", MEMORY_LIMIT))
        p.add_argument("--quiet", action="store_true")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.threshold is not None and not 0 <= args.threshold <= 1:
            raise LinkageError("--threshold harus antara 0 dan 1 / must be between 0 and 1")
        mapping = Mapping.parse(args.map, id_column=args.id_column)
        return _run(args, mapping)
    except LinkageError as exc:
        print(f"pendopo link: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pendopo link: dihentikan / interrupted; tidak ada keluaran yang ditulis", file=sys.stderr)
        return 130
    except MemoryError:
        print("pendopo link: memori tidak cukup; turunkan --memory-limit / out of memory", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: one line for the user, details on request
        if os.environ.get("PENDOPO_DEBUG"):
            raise
        print(internal_error_line("pendopo link", exc), file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, mapping: Mapping) -> int:
    progress, close_bar = progress_bar(not args.quiet)
    # Open (and so check) every input before any work, so a bad second file fails fast.
    tables = [open_table(args.left), open_table(args.right)] if args.job == "match" else [open_table(args.file)]
    for table in tables:
        _warn_without_person_columns(table, mapping)
    with open_linker(args.engine, tables, memory_limit=args.memory_limit, thresholds=Thresholds(), progress=progress) as linker:
        def load(side: str, table: Table, *, query: bool, reference: bool) -> None:
            load_table(linker, side, table, mapping, query=query, reference=reference)

        if args.job == "match":
            # The reference first: preparing it is the job's largest step, and nothing of the
            # other side is held beside it then (decision 37).
            load("r", tables[1], query=False, reference=True)
            load("l", tables[0], query=True, reference=False)
            written = 0

            def rows() -> Iterator[list[str]]:
                nonlocal written
                for lk in linker.link(args.threshold):
                    written += 1
                    yield [lk.left_id, lk.right_id, f"{lk.score:.6f}"]

            write_csv_atomically(args.output, ["left_id", "right_id", "score"], rows())
            close_bar()
            print(f"{written} pasangan / pairs → {args.output}", file=sys.stderr)
        else:
            load("l", tables[0], query=True, reference=True)
            records = clusters = 0

            def members() -> Iterator[tuple[str, str]]:
                nonlocal records, clusters
                for record_id, cluster_id in linker.clusters(args.threshold):
                    records += 1
                    clusters += record_id == cluster_id  # a cluster is named by its smallest id, one of its own
                    yield record_id, cluster_id

            write_csv_atomically(args.output, ["id", "cluster_id"], members())
            close_bar()
            print(f"{records} baris, {clusters} klaster / clusters → {args.output}", file=sys.stderr)
    return 0


def open_linker(engine: str, tables: Sequence[Table], **options: Any) -> Any:
    """The linker for a job on ``tables`` (a match's left and right file, or a dedupe's one):
    Spark's, or for the default engine DuckDB's, except that a small job (``local.small_job``:
    fewer than ``LOCAL_ROWS`` rows, those looked up counted twice) runs in plain Python
    (``local.py``: the same stages and answers, without DuckDB's start-up memory)."""
    if engine == "spark":
        from pendopo.linkage.spark import SparkLinker

        return SparkLinker(**options)
    from pendopo.linkage.local import LocalLinker, small_job

    if small_job(tables, queries=tables[:1]):
        return LocalLinker(**options)
    from pendopo.linkage.batch import DuckDBLinker

    return DuckDBLinker(**options)


def load_table(linker: Any, side: str, table: Table, mapping: Mapping, *, query: bool, reference: bool) -> int:
    """One side of the job into ``linker``: a CSV file read by DuckDB itself when the linker is
    DuckDB's, any other file or linker through ``io.read_records``."""
    if hasattr(linker, "load_csv") and table.path.suffix.lower() not in SHEETS:
        return int(linker.load_csv(side, str(table.path), mapping, query=query, reference=reference))
    return int(linker.load(side, read_records(table, mapping), query=query, reference=reference))


def _warn_without_person_columns(table: Table, mapping: Mapping) -> None:
    """A file none of whose columns feeds a person field links nothing (every record is left on
    its own): allowed by the contract, but almost always a header named otherwise ("nama"), so
    say so, with the ``--map`` that would use it."""
    if resolve_columns(table.header, mapping, str(table.path)):
        return
    fields = [(HEADER_HINTS.get(h.lower()) or (h.lower() if h.lower() in FIELDS else ""), h) for h in table.header]
    hints = [f"--map {field}={h}" for field, h in fields if field]  # "NAMA", and "NIK" typed in capitals
    suggestion = f"; mis. / e.g. {' '.join(hints)}" if hints else ""
    print(f"pendopo link: peringatan: {table.path.name} tidak punya kolom data orang yang dikenali "
          f"(kolom yang ada: {', '.join(table.header)}), tidak ada yang bisa dicocokkan; pakai --map{suggestion} / "
          "warning: no person column recognised, nothing can be linked", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
