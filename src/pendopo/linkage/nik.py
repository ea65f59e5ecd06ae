"""NIK (and KK number) parsing, validation and repair candidates.

A NIK is ``PPKKCC DDMMYY SSSS``: the kecamatan of first registration, the birth date with 40
added to the day for women, and a serial from 0001. There is no check digit, so a wrong digit
can only be caught by structure (length, a real date, a known region) and by disagreement with
the recorded sex and birth date. Repairs are *candidates* for the resolver, never facts.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NamedTuple

from pendopo.linkage.dates import current_date
from pendopo.linkage.i18n import gettext_noop


class NikIssue(StrEnum):
    MISSING = "missing"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    SCIENTIFIC = "scientific"  # 3.51009E+15: only the leading digits survive
    TRUNCATED = "truncated"  # stored as a number: 15 significant digits, last one became 0
    BAD_DATE = "bad_date"
    UNKNOWN_REGION = "unknown_region"
    ZERO_SERIAL = "zero_serial"
    CLEANED = "cleaned"  # had spaces, dots, quotes or ".0" around it


_SCI = re.compile(r"^\s*(\d)(?:[.,](\d+))?[eE]\+?(\d+)\s*$")
_JUNK = re.compile(r"[\s'\"`.\-_/]")


class ParsedNik(NamedTuple):
    """What a typed NIK says. ``digits`` is the cleaned 16-digit value when there is one;
    ``prefix`` the leading digits that can be trusted when the rest was lost. (A tuple: a file's
    every row parses its NIK, and a frozen dataclass took twice as long to make.)"""

    raw: str
    digits: str | None
    prefix: str
    issues: frozenset[NikIssue] = frozenset()

    @property
    def valid(self) -> bool:
        return self.digits is not None and not (self.issues - {NikIssue.CLEANED})

    @property
    def usable(self) -> bool:
        """Sixteen digits that can be looked up, even if structurally suspicious."""
        return self.digits is not None

    @property
    def region(self) -> str:
        return self.digits[:6] if self.digits else ""

    def birth(self) -> tuple[dt.date | None, str | None]:
        """(birth date, sex) encoded in the NIK, or (None, None) when the date part is impossible."""
        return decode_birth(self.digits) if self.digits else (None, None)


def clean_digits(raw: object) -> tuple[str, bool, bool]:
    """Strip what spreadsheets and people add around digits.

    Returns (digits-or-remaining-text, changed, scientific). ``3510094512800001.0`` → digits;
    ``'3510094512800001`` → digits; ``3.51009E+15`` → the mantissa digits, scientific=True.
    """
    if raw is None:
        return "", False, False
    if type(raw) is str and raw.isascii() and raw.isdigit():  # the common case: already clean
        return raw, False, False
    if isinstance(raw, float):
        if raw != raw:  # NaN
            return "", False, False
        text = repr(raw)
    elif isinstance(raw, int):
        return str(raw), False, False
    else:
        text = str(raw)
    original = text
    text = text.strip().strip("'\"`")
    m = _SCI.match(text)
    if m:
        mantissa = m.group(1) + (m.group(2) or "")
        exponent = int(m.group(3))
        if exponent + 1 >= len(mantissa):
            return mantissa, True, True
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    try:
        if re.fullmatch(r"\d+\.\d+[eE]\+?\d+", text):
            text = format(Decimal(text), "f")
    except InvalidOperation:
        pass
    cleaned = _JUNK.sub("", text)
    if not cleaned.isdigit():
        # leading/trailing letters ("NIK:3510..." or "3510...a"): keep the longest digit run
        runs = re.findall(r"\d+", cleaned)
        if runs:
            longest = max(runs, key=len)
            if len(longest) >= 15:
                return longest, True, False
        return cleaned, cleaned != original, False
    return cleaned, cleaned != original, False


def decode_birth(digits: str) -> tuple[dt.date | None, str | None]:
    return _decode_birth(digits[6:12], current_date().year)


# A file's NIKs share their six birth digits by the thousand (92,000 intake rows: 25,000
# distinct): each is decoded once per year.
@functools.lru_cache(maxsize=1 << 16)
def _decode_birth(six: str, this_year: int) -> tuple[dt.date | None, str | None]:
    day, month, year2 = int(six[0:2]), int(six[2:4]), int(six[4:6])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    for century in (2000, 1900):
        year = century + year2
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None, None
        if year <= this_year:
            return date, sex
    return None, None


@functools.lru_cache(maxsize=1 << 16)  # asked for every row of a file, of a few thousand distinct dates
def birth_part(birth: dt.date, sex: str) -> str:
    """The six NIK digits a birth date and sex should produce (DDMMYY, day + 40 for women)."""
    return f"{birth.day + (40 if sex == 'P' else 0):02d}{birth.month:02d}{birth.year % 100:02d}"


def plain_nik(raw: object) -> str | None:
    """``raw`` when it is a text of 16 plain digits, which ``parse_nik`` takes as the NIK's
    digits as they are (``clean_digits``); None otherwise, without parsing."""
    return raw if type(raw) is str and len(raw) == 16 and raw.isascii() and raw.isdigit() else None


def parse_nik(raw: object, known_regions: frozenset[str] | None = None) -> ParsedNik:
    """Parse a NIK as typed. ``known_regions`` are valid 6-digit kecamatan prefixes, when known."""
    text, changed, scientific = clean_digits(raw)
    issues: set[NikIssue] = set()
    if changed:
        issues.add(NikIssue.CLEANED)
    if not text:
        return ParsedNik(str(raw or ""), None, "", frozenset({NikIssue.MISSING}))
    if scientific:
        issues.add(NikIssue.SCIENTIFIC)
        return ParsedNik(str(raw), None, text[:15], frozenset(issues))
    if not text.isdigit():
        digits_only = "".join(c for c in text if c.isdigit())
        issues.add(NikIssue.NOT_DIGITS)
        return ParsedNik(str(raw), None, digits_only[:6] if len(digits_only) >= 6 else "", frozenset(issues))
    if len(text) != 16:
        issues.add(NikIssue.WRONG_LENGTH)
        return ParsedNik(str(raw), None, text[:12] if len(text) >= 12 else text[:6], frozenset(issues))
    date, _ = decode_birth(text)
    if date is None:
        issues.add(NikIssue.BAD_DATE)
    if known_regions is not None and text[:6] not in known_regions:
        issues.add(NikIssue.UNKNOWN_REGION)
    if text.endswith("0000"):
        issues.add(NikIssue.ZERO_SERIAL)
    elif text.endswith("0") and isinstance(raw, float | int):
        issues.add(NikIssue.TRUNCATED)
    return ParsedNik(str(raw), text, text[:12], frozenset(issues))


def transpositions(digits: str) -> Iterable[str]:
    """The 15 variants with two neighbouring digits swapped (skipping equal neighbours)."""
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            yield digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


def last_digit_variants(digits: str) -> Iterable[str]:
    """A number stored in a spreadsheet keeps 15 significant digits: the 16th is lost."""
    for d in "0123456789":
        if d != digits[-1]:
            yield digits[:-1] + d


def partial_keys(digits: str) -> tuple[str, str]:
    """Region+birth (digits 1-12) and birth+serial (digits 7-16): a wrong digit in the region
    or the serial leaves one intact. A wrong digit in the birth digits breaks both; the
    resolver then looks under the NIK that the typed birth date and sex imply."""
    return digits[:12], digits[6:]


def nik_distance(a: str, b: str) -> int:
    """0 equal; 1 one substituted digit or one transposition of neighbours; 2 otherwise."""
    if a == b:
        return 0
    if len(a) != len(b):
        return 2
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return 1
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return 1
    return 2


NIK_EMPTY = gettext_noop("NIK kosong")
NIK_SCIENTIFIC = gettext_noop("NIK tersimpan sebagai angka lembar kerja (notasi ilmiah), digit terakhirnya hilang")
NIK_NOT_DIGITS = gettext_noop("NIK mengandung karakter selain angka")
NIK_LENGTH = gettext_noop("NIK harus 16 digit, yang diketik %(count)s digit")
NIK_BAD_DATE = gettext_noop("digit tanggal lahir pada NIK bukan tanggal yang ada")
NIK_ZERO_SERIAL = gettext_noop("nomor urut NIK 0000 tidak mungkin")
NIK_SEX = gettext_noop("digit tanggal lahir pada NIK tidak cocok dengan jenis kelamin")
NIK_BIRTH = gettext_noop("digit tanggal lahir pada NIK tidak cocok dengan tanggal lahir")


def nik_problem_says(parsed: ParsedNik, sex: str, birth: dt.date | None) -> tuple[str, dict[str, int]]:
    """``nik_problem`` as a message template in Bahasa Indonesia and its values, so that a
    page can show it in its reader's language; ("", {}) when the NIK is possible."""
    issues = parsed.issues
    if NikIssue.MISSING in issues:
        return NIK_EMPTY, {}
    if NikIssue.SCIENTIFIC in issues:
        return NIK_SCIENTIFIC, {}
    if NikIssue.NOT_DIGITS in issues:
        return NIK_NOT_DIGITS, {}
    if parsed.digits is None:
        return NIK_LENGTH, {"count": sum(c.isdigit() for c in parsed.raw)}
    if NikIssue.BAD_DATE in issues:
        return NIK_BAD_DATE, {}
    if NikIssue.ZERO_SERIAL in issues:
        return NIK_ZERO_SERIAL, {}
    digits = parsed.digits
    if birth is not None and sex in ("L", "P"):
        if digits[6:12] != birth_part(birth, sex):
            other = "P" if sex == "L" else "L"
            return (NIK_SEX if digits[6:12] == birth_part(birth, other) else NIK_BIRTH), {}
    elif birth is not None and digits[6:12] not in (birth_part(birth, "L"), birth_part(birth, "P")):
        return NIK_BIRTH, {}
    return "", {}


def nik_problem(parsed: ParsedNik, sex: str, birth: dt.date | None) -> str:
    """Why a typed NIK is structurally impossible or disagrees with the typed sex and birth
    date, in Bahasa Indonesia; "" when it is a possible NIK for this row."""
    template, values = nik_problem_says(parsed, sex, birth)
    return template % values if values else template
