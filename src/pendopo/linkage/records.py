"""Person records in and their prepared (normalised, comparable) form."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from sys import intern

from pendopo.linkage.address import ParsedAddress, normalise_village_code, parse_address
from pendopo.linkage.dates import parse_date
from pendopo.linkage.names import normalise_name, phonetic_key
from pendopo.linkage.nik import NikIssue, clean_digits, parse_nik

FIELDS = ("nik", "kk", "name", "sex", "birth_place", "birth_date", "address", "village_code")


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person as typed, with every field optional. ``id`` is the caller's identifier."""

    id: str
    nik: object = None
    kk: object = None
    name: object = None
    sex: object = None
    birth_place: object = None
    birth_date: object = None
    address: object = None
    village_code: object = None


@dataclass(slots=True)
class Features:
    """The comparable form of a record: what blocking and comparison read."""

    id: str
    nik: str  # 16 digits or ""
    nik_issues: frozenset[NikIssue]
    kk: str  # 16 digits or ""
    name: str  # normalised tokens joined
    name_sorted: str
    name_phon: str
    first_phon: str
    birth: int  # proleptic ordinal, 0 if unknown
    birth_swapped: int  # ordinal of the day/month swap, 0 if none
    placeholder: bool
    sex: str  # "L", "P" or ""
    village: str  # PP.KK.CC.VVVV or ""
    place: str  # sound key of the first word of the birth place
    dusun: str  # sound key of the hamlet name, "" if none
    rt: int  # -1 if unknown
    rw: int

    @property
    def kecamatan(self) -> str:
        """The parent area: the kecamatan of a Kemendagri village code, "" for other area codes."""
        return kecamatan_of(self.village)

    @property
    def has_nik(self) -> bool:
        """A 16-digit Indonesian NIK (other identifiers carry no birth date or region)."""
        return len(self.nik) == 16

    @property
    def birth_year(self) -> int:
        import datetime as dt

        return dt.date.fromordinal(self.birth).year if self.birth else 0


_SEX = {"l": "L", "lk": "L", "laki-laki": "L", "laki": "L", "m": "L", "male": "L", "pria": "L", "1": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "f": "P", "female": "P", "w": "P", "2": "P"}


def normalise_sex(raw: object) -> str:
    return _SEX.get(str(raw or "").strip().lower(), "")


def is_kemendagri(code: str) -> bool:
    return len(code) == 13 and code[2] == "." and code[5] == "." and code[8] == "."


@lru_cache(maxsize=4096)
def kecamatan_of(village: str) -> str:
    """The kecamatan of a Kemendagri village code, "" for other area codes."""
    return village[:8] if is_kemendagri(village) else ""


def _generic_code(raw: object) -> str:
    """An area code that is not Kemendagri's (a postcode, a district name): compared as is."""
    text = str(raw or "").strip().lower()
    return "" if text in ("", "nan", "none") else intern(text)


def _generic_identifier(raw: object, issues: frozenset[NikIssue]) -> str:
    """Another identifier (a social-security or member number): its digits, compared exactly
    or one digit off. A NIK that lost its digits (scientific notation) is not one."""
    if NikIssue.SCIENTIFIC in issues or NikIssue.MISSING in issues:
        return ""
    digits, _, _ = clean_digits(raw)
    if len(digits) == 16 or not digits.isdigit() or len(digits) < 5:
        return ""
    return digits


@lru_cache(maxsize=200_000)
def _address(raw: object) -> ParsedAddress:
    return parse_address(raw)


def prepare(record: PersonRecord) -> Features:
    """Normalise every field of one record; never raises on bad values."""
    nik = parse_nik(record.nik)
    identifier = nik.digits or _generic_identifier(record.nik, nik.issues)
    kk_digits, _, _ = clean_digits(record.kk)
    name = normalise_name(str(record.name) if record.name is not None else None)
    birth = parse_date(record.birth_date)
    place_words = str(record.birth_place or "").lower().split()
    village = normalise_village_code(record.village_code) or _generic_code(record.village_code)
    address = _address(record.address)
    # Interned: two million records share a few hundred thousand names, 217 village codes and
    # one family card per three or four people; one copy of each string is kept.
    return Features(
        id=str(record.id),
        nik=identifier,
        nik_issues=nik.issues,
        kk=intern(kk_digits) if len(kk_digits) == 16 and kk_digits.isdigit() else "",
        name=intern(name.text),
        name_sorted=intern(name.sorted_key),
        name_phon=intern(name.phonetic_text),
        first_phon=intern(name.first_phonetic),
        birth=birth.date.toordinal() if birth.date else 0,
        birth_swapped=birth.swapped.toordinal() if birth.swapped else 0,
        placeholder=birth.is_placeholder,
        sex=normalise_sex(record.sex),
        village=intern(village),
        place=intern(phonetic_key(place_words[0])) if place_words and place_words[0].isalpha() else "",
        dusun=intern(address.dusun),
        rt=address.rt if address.rt is not None else -1,
        rw=address.rw if address.rw is not None else -1,
    )
