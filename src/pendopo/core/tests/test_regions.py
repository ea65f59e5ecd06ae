from __future__ import annotations

from pathlib import Path

import pytest

from pendopo.core import services
from pendopo.core.errors import ImportRefused
from pendopo.core.models import AuditEvent, Region, RegionLevel, Unit
from pendopo.core.regions import parse_regions

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "code,name,level,parent_code\n"


def _refused(text: str | bytes, *fragments: str) -> str:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ImportRefused) as info:
        parse_regions(data, "uji.csv")
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message
    return info.value.message


def test_banyuwangi_is_present_after_migrate(db: None) -> None:
    assert Region.objects.filter(level=RegionLevel.DISTRICT, parent_id="35.10").count() == 25
    villages = Region.objects.villages().filter(code__startswith="35.10.")
    assert villages.count() == 217
    assert villages.filter(kind="kelurahan").count() == 28
    assert villages.filter(kind="desa").count() == 189
    assert Unit.objects.filter(kind="village").count() == 217
    assert Unit.objects.filter(kind="puskesmas").count() == 45


def test_the_shipped_villages_file_agrees_with_the_hierarchy_file() -> None:
    villages = parse_regions((DATA / "wilayah_banyuwangi_villages.csv").read_bytes(), "v.csv",
                             known_codes=[f"35.10.{i:02d}" for i in range(1, 26)])
    hierarchy = {r.code: r for r in parse_regions((DATA / "wilayah_banyuwangi.csv").read_bytes(), "h.csv")}
    assert len(villages) == 217
    for v in villages:
        assert hierarchy[v.code].name == v.name
        assert hierarchy[v.code].kind == v.kind


def test_it_reimports_the_same_file_without_changes(db: None) -> None:
    result = services.region_import(actor=None, data=(DATA / "wilayah_banyuwangi.csv").read_bytes(), filename="w.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 244)
    assert AuditEvent.objects.filter(action="region.import").count() == 1


def test_it_updates_a_renamed_village_and_adds_new_regions(db: None) -> None:
    data = HEADER + "35.10.09.2001,Kembiritan Baru,village,35.10.09\n36,Banten,province,\n36.01,Kabupaten Pandeglang,regency,36\n"
    result = services.region_import(actor=None, data=data.encode(), filename="w.csv")
    assert (result.created, result.updated) == (2, 1)
    assert Region.objects.get(code="35.10.09.2001").name == "Kembiritan Baru"
    assert Region.objects.get(code="36.01").kind == "kabupaten"
    event = AuditEvent.objects.get(action="region.import")
    assert event.changes["updated_codes"] == ["35.10.09.2001"]


def test_it_names_line_and_column_of_a_bad_code() -> None:
    _refused(HEADER + "35,Jawa Timur,province,\n35.1O,Kab X,regency,35\n", "baris 3", "kolom code", "35.1O")


def test_it_refuses_an_unknown_parent() -> None:
    _refused(HEADER + "35.99,Kab Y,regency,35\n", "baris 2", "kolom parent_code", "35")


def test_it_refuses_a_parent_that_does_not_match_the_code() -> None:
    _refused(HEADER + "35,Jawa Timur,province,\n35.10,Banyuwangi,regency,34\n", "baris 3", "parent_code")


def test_it_refuses_a_duplicate_code() -> None:
    _refused(HEADER + "35,Jawa Timur,province,\n35,Jatim,province,\n", "baris 3", "duplikat", "baris 2")


def test_it_refuses_a_wrong_encoding_naming_the_line() -> None:
    data = (HEADER + "35,Jawa Timur,province,\n35.10,Kab Banyuwangi,regency,35\n").encode() + "36,Bantén,province,\n".encode("latin-1")
    _refused(data, "baris 4", "UTF-8")


def test_it_refuses_an_empty_file_and_a_wrong_header() -> None:
    _refused(b"", "kosong")
    _refused(HEADER, "tidak ada baris data")
    _refused("kode,nama\n35,Jawa Timur\n", "baris 1", "code,name,level,parent_code")
    _refused(b"\xff\xfe\x00c\x00o", "UTF-8")


def test_it_refuses_an_unknown_level_and_empty_name() -> None:
    _refused(HEADER + "35,Jawa Timur,negara,\n", "kolom level")
    _refused(HEADER + "35,,province,\n", "kolom name", "nama kosong")


def test_a_refused_file_writes_nothing(db: None) -> None:
    before = Region.objects.count()
    data = HEADER + "36,Banten,province,\n36.01,Pandeglang,regency,36\n36.01.01,Sumur,district,36.02\n"
    with pytest.raises(ImportRefused):
        services.region_import(actor=None, data=data.encode(), filename="w.csv")
    assert Region.objects.count() == before
    assert not AuditEvent.objects.filter(action="region.import").exists()


def test_it_accepts_the_villages_shape_and_a_byte_order_mark(db: None) -> None:
    data = "\ufeffcode,name,kind,district_code,district_name\n35.10.09.2099,Desa Uji,desa,35.10.09,Genteng\n"
    result = services.region_import(actor=None, data=data.encode(), filename="v.csv")
    assert result.created == 1
    assert Region.objects.get(code="35.10.09.2099").kind == "desa"
    assert services.units_sync_regency(actor=None) == 1


def test_only_an_administrator_may_import(personas) -> None:  # type: ignore[no-untyped-def]
    from pendopo.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.region_import(actor=personas.dinsos, data=(HEADER + "36,Banten,province,\n").encode(), filename="w.csv")
