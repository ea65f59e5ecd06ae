"""The identity engine: which registered person is this row?

Plain Python in and out (frozen dataclasses, numpy arrays); it never imports Django. Stages:
normalise (``names``, ``nik``, ``dates``, ``address``) → block (``blocking``) → compare
(``compare``) → score (``model``: Fellegi–Sunter with EM) → decide (``index``).
"""

from pendopo.linkage.compare import FIELD_ORDER, compare, describe
from pendopo.linkage.dates import ParsedDate, parse_date
from pendopo.linkage.errors import InputError, LinkageError, ModelError
from pendopo.linkage.index import Candidate, ReferenceIndex, Resolution, Status, Thresholds
from pendopo.linkage.model import Model, estimate_em, estimate_u
from pendopo.linkage.names import NormalName, normalise_name, phonetic_key
from pendopo.linkage.nik import NikIssue, ParsedNik, parse_nik
from pendopo.linkage.records import Features, PersonRecord, prepare

__all__ = [
    "FIELD_ORDER",
    "Candidate",
    "Features",
    "InputError",
    "LinkageError",
    "Model",
    "ModelError",
    "NikIssue",
    "NormalName",
    "ParsedDate",
    "ParsedNik",
    "PersonRecord",
    "ReferenceIndex",
    "Resolution",
    "Status",
    "Thresholds",
    "compare",
    "describe",
    "estimate_em",
    "estimate_u",
    "normalise_name",
    "parse_date",
    "parse_nik",
    "phonetic_key",
    "prepare",
]
