"""The screening job of ``bench_screen.py`` done with Splink 5 on DuckDB (the peer of issue #5):
Splink links the intake and roll rows to the registry, and the same decision rules
(``pendopo.aid.screening.Screener``) turn its best matches into decisions.

    python bench/screen_splink.py FOLDER OUTPUT.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_linkage import SPLINK_CLEAN, splink_indonesian  # noqa: E402


def main(folder: Path, output: Path) -> None:
    import duckdb
    from splink import Linker, SettingsCreator
    from splink.internals.duckdb.database_api import DuckDBAPI

    from pendopo.aid.batch import write_decisions
    from pendopo.aid.rules import default_catalogue, normalise_code
    from pendopo.aid.screening import Holding, Holdings, Registry, RegistryPerson, Screener, Typed
    from pendopo.linkage.index import Candidate, Resolution, Status, Thresholds, decide
    from pendopo.linkage.records import PersonRecord, prepare
    from pendopo.population.values import registry_status

    con = duckdb.connect()
    for name in ("registry", "rolls", "intake"):
        con.execute(f"CREATE TABLE {name}_in AS SELECT * FROM read_csv('{folder / (name + '.csv')}', all_varchar = true)")  # noqa: S608
    con.execute("CREATE VIEW reg AS SELECT person_id AS id, * EXCLUDE (person_id) FROM registry_in")
    con.execute("""CREATE VIEW lft AS SELECT 'i' || (rowid + 1) AS id, * FROM intake_in
                   UNION ALL SELECT 'r' || (rowid + 1) AS id, * EXCLUDE (scheme) FROM rolls_in""")
    comparisons, blocking, em_rules, det = splink_indonesian()
    db = DuckDBAPI(connection=con)
    settings = SettingsCreator(link_type="link_only", comparisons=comparisons, blocking_rules_to_generate_predictions=blocking,
                               unique_id_column_name="id", retain_matching_columns=False)
    dfs = [db.register(con.sql(SPLINK_CLEAN.format("lft"))), db.register(con.sql(SPLINK_CLEAN.format("reg")))]
    linker = Linker(dfs, settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(det, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    rel = linker.inference.predict(threshold_match_probability=0.05).as_duckdbpyrelation()
    # Splink's left/right columns follow the order the tables were registered in.
    rows = rel.select("id_l, id_r, match_weight, match_probability").fetchall()
    grouped: dict[str, list[Candidate]] = {}
    for left, right, weight, prob in rows:
        if str(left).startswith(("i", "r")) and not str(right).startswith(("i", "r")):
            grouped.setdefault(str(left), []).append(Candidate(str(right), float(prob), float(weight), ()))
        else:
            grouped.setdefault(str(right), []).append(Candidate(str(left), float(prob), float(weight), ()))
    t = Thresholds()
    resolutions = {k: decide(sorted(v, key=lambda c: -c.weight), t) for k, v in grouped.items()}
    holdings = Holdings()
    for line, (scheme,) in enumerate(con.execute("SELECT scheme FROM rolls_in ORDER BY rowid").fetchall(), start=1):
        res = resolutions.get(f"r{line}")
        if res is not None and res.status == Status.MATCH and res.best is not None:
            holdings.add(Holding(res.best.id, normalise_code(scheme), ""))
        elif res is not None and res.status == Status.POSSIBLE:
            for c in res.candidates:
                if c.probability >= t.possible:
                    holdings.add(Holding(c.id, normalise_code(scheme), "", certain=False))
    # Only the people an intake row may be and their families, as the Pendopo job reads them.
    wanted = sorted({c.id for k, r in resolutions.items() if k.startswith("i") for c in r.candidates})
    con.execute("CREATE TABLE wanted_in AS SELECT unnest($1::VARCHAR[]) AS id", [wanted])
    people = con.execute("""
        SELECT id, nik, kk, status FROM reg WHERE id IN (SELECT id FROM wanted_in)
           OR kk IN (SELECT kk FROM reg WHERE id IN (SELECT id FROM wanted_in) AND kk IS NOT NULL)
    """).fetchall()
    registry = Registry(RegistryPerson(str(pid), str(nik or ""), str(kk or ""), registry_status(st) or "alive")
                        for pid, nik, kk, st in people)
    screener = Screener(default_catalogue(), "BLT-DD", registry, holdings)
    intake = con.execute("SELECT nik, sex, birth_date FROM intake_in ORDER BY rowid").fetchall()
    out = []
    for line, (nik, sex, birth) in enumerate(intake, start=1):
        f = prepare(PersonRecord("q", nik=nik, sex=sex, birth_date=birth))
        res = resolutions.get(f"i{line}") or Resolution(Status.NONE, None, ())
        out.append(screener.decide(line, Typed.of(nik, f.sex, f.birth), res))
    write_decisions(output, out)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
