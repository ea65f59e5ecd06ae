"""The scheme catalogue and the overlap matrix, as plain data (no Django).

A rule says: a proposal for ``proposed`` is rejected when the person (unit ``person``) or any
member of the person's current family (unit ``family``) holds ``held``; optionally only when the
holding carries ``component`` (PKH with the pregnancy component). ``max_per_family`` caps how
many members of one family may hold the proposed scheme (Prakerja: two per KK).

The defaults follow DOMAIN.md; ``load_rules`` reads a TOML file in the same shape, which
replaces the whole catalogue (``pendopo screen --rules``). Dinas Sosial edits the database copy.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

UNITS = ("person", "family")
LEVELS = ("central", "province", "regency", "village")


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Scheme:
    code: str
    name: str
    unit: str = "family"  # who receives it
    level: str = "central"  # who funds it
    max_per_family: int = 0  # 0: no cap


@dataclass(frozen=True, slots=True)
class Rule:
    proposed: str
    held: str
    unit: str = "family"
    component: str = ""  # "" for any holding of ``held``


@dataclass(frozen=True)
class Catalogue:
    schemes: dict[str, Scheme]
    rules: tuple[Rule, ...] = ()
    _by_proposed: dict[str, tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Rule]] = {}
        for rule in self.rules:
            grouped.setdefault(rule.proposed, []).append(rule)
        self._by_proposed.update({k: tuple(v) for k, v in grouped.items()})

    def scheme(self, code: str) -> Scheme | None:
        return self.schemes.get(normalise_code(code))

    def conflicts(self, proposed: str) -> tuple[Rule, ...]:
        return self._by_proposed.get(normalise_code(proposed), ())


def normalise_code(code: object) -> str:
    """Scheme codes compare without case or surrounding spaces: ``Prakerja`` is ``PRAKERJA``."""
    return str(code or "").strip().upper().replace("_", "-").replace(" ", "-")


def _rules(proposed: str, held: Iterable[str], unit: str) -> list[Rule]:
    return [Rule(proposed, h, unit) for h in held]


DEFAULT_SCHEMES = (
    Scheme("PKH", "Program Keluarga Harapan", "family", "central"),
    Scheme("BPNT", "Bantuan Pangan Non-Tunai / Sembako", "family", "central"),
    Scheme("BST", "Bantuan Sosial Tunai", "family", "central"),
    Scheme("BLT-DD", "Bantuan Langsung Tunai Dana Desa", "family", "village"),
    Scheme("PRAKERJA", "Kartu Prakerja", "person", "central", max_per_family=2),
    Scheme("BPUM", "Bantuan Presiden Usaha Mikro", "person", "central"),
    Scheme("PBI-JK", "Penerima Bantuan Iuran Jaminan Kesehatan", "person", "central"),
    Scheme("APBD", "Bantuan sosial APBD Kabupaten (paket sembako)", "family", "regency"),
    Scheme("PMT-BUMIL", "Paket gizi ibu hamil", "person", "regency"),
)

DEFAULT_RULES = tuple(
    # BLT-DD (Permendesa 6/2020): families not receiving PKH, BPNT, Prakerja and, in practice, BST.
    _rules("BLT-DD", ("PKH", "BPNT", "BST", "PRAKERJA", "BLT-DD"), "family")
    # Banyuwangi 2020: a PKH or BPNT family entered for BST was rejected; so was a son whose father held BST.
    + _rules("BST", ("PKH", "BPNT", "BST", "BLT-DD"), "family")
    # The 2021 regency programme excluded PKH, BPNT, BLT-DD, BST, BPUM and APBD aid.
    + _rules("APBD", ("PKH", "BPNT", "BLT-DD", "BST", "BPUM", "APBD"), "family")
    # PKH with BPNT is commonly allowed; a family is not enrolled twice.
    + _rules("PKH", ("PKH",), "family")
    + _rules("BPNT", ("BPNT",), "family")
    + _rules("PRAKERJA", ("PRAKERJA",), "person")
    + _rules("BPUM", ("BPUM",), "person")
    # The pregnancy nutrition package: rejected for PKH with the pregnancy component, not for the APBD parcel.
    + [Rule("PMT-BUMIL", "PKH", "family", "hamil"), Rule("PMT-BUMIL", "PMT-BUMIL", "person")]
    # PBI-JK stacks with everything.
)


def default_catalogue() -> Catalogue:
    return Catalogue({s.code: s for s in DEFAULT_SCHEMES}, DEFAULT_RULES)


def load_rules(path: str | Path) -> Catalogue:
    """Read a catalogue from TOML::

        [schemes.BLT-DD]
        name = "BLT Dana Desa"
        unit = "family"          # person | family
        level = "village"        # central | province | regency | village
        max_per_family = 0       # optional
        rejects = ["PKH", "BPNT", "BST", "PRAKERJA", "BLT-DD"]   # family-unit rules by default

        [[rules]]                # or one rule at a time, with a unit and a component
        proposed = "PMT-BUMIL"
        held = "PKH"
        unit = "family"
        component = "hamil"
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"{p}: berkas aturan tidak ditemukan / rules file not found") from exc
    except UnicodeDecodeError as exc:
        raise RulesError(f"{p}: berkas aturan bukan UTF-8 / rules file is not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{p}: TOML tidak sah / invalid TOML: {exc}") from exc
    raw_schemes = data.get("schemes")
    if not isinstance(raw_schemes, dict) or not raw_schemes:
        raise RulesError(f"{p}: bagian [schemes] kosong atau tidak ada / no [schemes] table")
    schemes: dict[str, Scheme] = {}
    rules: list[Rule] = []
    for key, entry in raw_schemes.items():
        code = normalise_code(key)
        where = f"{p}: [schemes.{key}]"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: harus berupa tabel / must be a table")
        unit = str(entry.get("unit", "family"))
        level = str(entry.get("level", "central"))
        if unit not in UNITS:
            raise RulesError(f"{where}: unit '{unit}' tidak dikenal (person/family) / unknown unit")
        if level not in LEVELS:
            raise RulesError(f"{where}: level '{level}' tidak dikenal ({'/'.join(LEVELS)}) / unknown level")
        cap = entry.get("max_per_family", 0)
        if not isinstance(cap, int) or cap < 0:
            raise RulesError(f"{where}: max_per_family harus bilangan bulat ≥ 0 / must be a whole number ≥ 0")
        schemes[code] = Scheme(code, str(entry.get("name", code)), unit, level, cap)
        rejects = entry.get("rejects", [])
        if not isinstance(rejects, list):
            raise RulesError(f"{where}: rejects harus daftar kode skema / rejects must be a list of scheme codes")
        rules += _rules(code, (normalise_code(h) for h in rejects), str(entry.get("rejects_unit", "family")))
    for i, entry in enumerate(data.get("rules", []), start=1):
        where = f"{p}: [[rules]] ke-{i}"
        if not isinstance(entry, dict) or "proposed" not in entry or "held" not in entry:
            raise RulesError(f"{where}: perlu 'proposed' dan 'held' / needs 'proposed' and 'held'")
        unit = str(entry.get("unit", "family"))
        if unit not in UNITS:
            raise RulesError(f"{where}: unit '{unit}' tidak dikenal (person/family) / unknown unit")
        rules.append(Rule(normalise_code(entry["proposed"]), normalise_code(entry["held"]), unit,
                          str(entry.get("component", "")).strip().lower()))
    for rule in rules:
        if rule.proposed not in schemes:
            raise RulesError(f"{p}: aturan untuk skema '{rule.proposed}' yang tidak ada di [schemes] / rule for unknown scheme")
        if rule.unit not in UNITS:
            raise RulesError(f"{p}: unit '{rule.unit}' tidak dikenal / unknown unit")
    return Catalogue(schemes, tuple(rules))
