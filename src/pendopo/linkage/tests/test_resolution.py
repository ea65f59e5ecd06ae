from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pendopo.linkage as linkage
from pendopo.linkage import PersonRecord, ReferenceIndex, Status, prepare
from pendopo.linkage.compare import compare
from pendopo.testdata.errors import Row, dirty_sample, registry

PACKAGE = Path(linkage.__file__).resolve().parent


def _record(row: Row, record_id: str | None = None) -> PersonRecord:
    return PersonRecord(id=record_id or row.person_id, nik=row.nik, kk=row.kk, name=row.name, sex=row.sex,
                        birth_place=row.birth_place, birth_date=row.birth_date, address=row.address, village_code=row.village_code)


@pytest.fixture(scope="module")
def world() -> tuple[list[Row], ReferenceIndex]:
    rows = registry(8000, seed=5)
    index = ReferenceIndex.build(_record(r) for r in rows)
    index.train(_record(r, "q") for r, _ in dirty_sample(rows, 1500, seed=21))
    return rows, index


def test_the_engine_never_imports_django() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith("django") or (n.startswith("pendopo.") and not n.startswith("pendopo.linkage")) for n in names), path


PUBLIC = [
    "FIELD_ORDER", "Candidate", "Features", "InputError", "LinkageError", "Model", "ModelError", "NikIssue", "NormalName",
    "ParsedDate", "ParsedNik", "PersonRecord", "ReferenceIndex", "Resolution", "Status", "Thresholds", "compare",
    "describe", "estimate_em", "estimate_u", "normalise_name", "parse_date", "parse_nik", "phonetic_key", "prepare",
]


def test_the_public_surface_is_deliberate() -> None:
    # Adding to or removing from the engine's public API is a decision: change PUBLIC with it.
    assert sorted(linkage.__all__) == sorted(PUBLIC)
    assert all(hasattr(linkage, name) for name in PUBLIC)


def test_a_clean_copy_resolves_to_itself(world) -> None:  # type: ignore[no-untyped-def]
    rows, index = world
    for row in rows[:200]:
        res = index.resolve(_record(row, "q"))
        assert res.status == Status.MATCH and res.id == row.person_id


def test_dirty_copies_resolve_without_wrong_matches(world) -> None:  # type: ignore[no-untyped-def]
    rows, index = world
    wrong = matched = 0
    sample = list(dirty_sample(rows, 1000, seed=33, outsiders=100))
    for row, truth in sample:
        res = index.resolve(_record(row, "q"))
        if res.status == Status.MATCH:
            matched += 1
            wrong += res.id != truth
    assert wrong == 0
    assert matched >= 0.97 * 1000


def test_evidence_is_readable(world) -> None:  # type: ignore[no-untyped-def]
    rows, index = world
    res = index.resolve(_record(rows[0], "q"))
    labels = dict(res.best.evidence)
    assert labels["nik"] == "NIK sama" and labels["name"] == "nama sama persis"


def test_two_equal_candidates_are_ambiguous() -> None:
    twin_a = PersonRecord(id="a", name="Painem", sex="P", birth_date="1950-01-01", village_code="35.10.09.2001", address="Dusun Krajan RT 1 RW 1")
    twin_b = PersonRecord(id="b", name="Painem", sex="P", birth_date="1950-01-01", village_code="35.10.09.2001", address="Dusun Krajan RT 1 RW 1")
    index = ReferenceIndex.build([twin_a, twin_b], estimate=False)
    res = index.resolve(PersonRecord(id="q", name="PAINEM", sex="P", birth_date="01/01/1950", village_code="3510092001"))
    assert res.status == Status.POSSIBLE and res.ambiguous


def test_incremental_updates_without_rebuild(world) -> None:  # type: ignore[no-untyped-def]
    rows, index = world
    newborn = PersonRecord(id="BARU-1", nik="3510095411260001", name="Aulia Putri Ramadhani", sex="P",
                           birth_date="2026-11-14", village_code="35.10.09.2001", kk=rows[0].kk)
    index.upsert(newborn)
    assert index.resolve(PersonRecord(id="q", nik="3510095411260001", name="AULIA PUTRI R", sex="P", birth_date="14/11/2026")).id == "BARU-1"
    index.remove("BARU-1")
    assert index.resolve(PersonRecord(id="q", nik="3510095411260001", name="Aulia Putri Ramadhani")).id != "BARU-1"
    index.upsert(newborn)
    index.compact()
    assert index.resolve(PersonRecord(id="q", nik="3510095411260001", name="Aulia Putri Ramadhani", birth_date="2026-11-14", sex="P")).id == "BARU-1"


def test_a_spouse_nik_typed_for_the_person_is_not_a_match_to_the_spouse(world) -> None:  # type: ignore[no-untyped-def]
    rows, index = world
    family = [r for r in rows if r.kk == rows[10].kk]
    assert len(family) >= 2
    person, other = family[0], family[1]
    typed = Row(**{**person.as_dict(), "nik": other.nik})  # type: ignore[arg-type]
    res = index.resolve(_record(typed, "q"))
    assert res.id == person.person_id


def test_nik_agreement_is_not_counted_twice_with_birth_and_sex() -> None:
    a = prepare(PersonRecord(id="a", nik="3510094512800001", name="Siti", sex="P", birth_date="1980-12-05"))
    b = prepare(PersonRecord(id="b", nik="3510094512800002", name="Aminah", sex="P", birth_date="1980-12-05"))
    levels = compare(a, b)
    assert levels[0] == 1 and levels[2] == -1 and levels[3] == -1


def test_a_wrong_birth_digit_in_the_nik_is_found_through_the_typed_birth_date() -> None:
    person = PersonRecord(id="p", nik="3510094512800001", name="Siti Aminah", sex="P", birth_date="1980-12-05",
                          village_code="35.10.09.2001")
    index = ReferenceIndex.build([person], estimate=False)
    typo = PersonRecord(id="q", nik="3510094517800001", name="Siti Aminah", sex="P", birth_date="05/12/1980",
                        village_code="35.10.09.2001")
    assert index.resolve(typo).id == "p"


def test_the_fast_build_gives_the_same_index(world) -> None:  # type: ignore[no-untyped-def]
    rows, trained = world
    slow = ReferenceIndex.build(_record(r) for r in rows)
    fast = ReferenceIndex.build_fast(_record(r) for r in rows)
    slow.model = fast.model = trained.model
    assert len(fast) == len(slow)
    for row, _ in dirty_sample(rows, 300, seed=44, outsiders=30):
        a, b = slow.resolve(_record(row, "q")), fast.resolve(_record(row, "q"))
        assert (a.status, a.id, [c.id for c in a.candidates]) == (b.status, b.id, [c.id for c in b.candidates])
    # Column by column from DuckDB: the same records, repeated names kept once.
    assert [fast.rows[r] for r in range(len(fast.rows))] == [slow.rows[r] for r in range(len(slow.rows))]
    same_name = [r for r in range(len(fast.rows)) if fast.rows[r].name == fast.rows[0].name]  # type: ignore[union-attr]
    assert len({id(fast.rows[r].name) for r in same_name}) == 1  # type: ignore[union-attr]


def test_comparing_from_the_columns_is_comparing_records(world) -> None:  # type: ignore[no-untyped-def]
    rows, index = world
    pairs = 0
    for row, _ in dirty_sample(rows, 400, seed=45, outsiders=40):
        f = prepare(_record(row, "q"))
        candidates = index.candidate_rows(f, weak=True) + [0, 1, len(index.rows) - 1]
        by_column = index.rows.compare_rows(f, candidates)
        assert by_column == [compare(f, index.rows[r]) for r in candidates]  # type: ignore[arg-type]
        pairs += len(candidates)
    assert pairs > 2000


# Same village and first name only: one key (village + first name). Same kecamatan, name and
# birth year: two (kecamatan + name, year + name).
SHARING_ONE = PersonRecord(id="one", name="Bambang Wijaya", sex="L", birth_date="1990-07-01", village_code="35.10.09.2001")
SHARING_TWO = PersonRecord(id="two", name="Bambang Sutrisno", sex="L", birth_date="1975-08-30", village_code="35.10.09.2002")
LOOKING = PersonRecord(id="q", name="Bambang Sutrisno", sex="L", birth_date="1975-03-14", village_code="35.10.09.2001")


def test_a_one_key_candidate_is_compared_only_when_nothing_shares_two() -> None:
    from pendopo.linkage.blocking import query_keys, reference_keys

    f = prepare(LOOKING)
    assert [len(set(query_keys(f)) & set(reference_keys(prepare(r)))) for r in (SHARING_ONE, SHARING_TWO)] == [1, 2]
    both = ReferenceIndex.build([SHARING_ONE, SHARING_TWO], estimate=False)
    assert [both.rows.record_id(r) for r in both.candidate_rows(f)] == ["two"]
    assert sorted(both.rows.record_id(r) for r in both.candidate_rows(f, weak=True)) == ["one", "two"]  # training sees it
    alone = ReferenceIndex.build([SHARING_ONE], estimate=False)
    assert [alone.rows.record_id(r) for r in alone.candidate_rows(f)] == ["one"]


def test_candidates_are_capped_skip_removed_rows_and_the_store_grows() -> None:
    village = "35.10.09.2001"
    twins = [PersonRecord(id=f"p{i}", name="Siti Aminah", sex="P", birth_date="1980-12-05", village_code=village)
             for i in range(70)]
    index = ReferenceIndex.build(twins, estimate=False)
    query = prepare(PersonRecord(id="q", name="Siti Aminah", sex="P", birth_date="1980-12-05", village_code=village))
    rows = index.candidate_rows(query)
    assert len(rows) == 60  # at most MAX_CANDIDATES
    index.remove("p7")
    assert index.row_of.get("p7") is None and len(index.candidate_rows(query)) == 60
    assert all(index.rows.alive(r) and index.rows.record_id(r) != "p7" for r in index.candidate_rows(query, weak=True))
    # Past the store's first allocation of rows: added one by one, each found by its NIK.
    for i in range(3000):
        index.upsert(PersonRecord(id=f"n{i}", nik=f"35100945128{i:05d}", name="Aminah", sex="P", birth_date="1980-12-05"))
    assert len(index) == 3069 and len(index.rows) == 3070
    found = index.resolve(PersonRecord(id="q", nik="3510094512802999", name="Aminah", sex="P", birth_date="1980-12-05"))
    assert found.id == "n2999"
    with pytest.raises(IndexError):
        index.rows[10_000]
