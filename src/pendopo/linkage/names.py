"""Normalisation of Indonesian personal names.

What it handles (DOMAIN.md, identity data): case, spacing and punctuation; titles before the
name (H., Hj., Ir., dr., Drs.) and degrees after it (S.Pd., S.E., A.Md.); the Muhammad family
(Muhamad, Mohammad, Mochammad, Moh., Moch., Muh., Mhd., M.) and Abdul/Abd.; Ahmad/Achmad/Akhmad;
old spelling (oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh); bin/binti and the father's name after it.

Two outputs matter: ``tokens`` (the name in modern spelling, titles removed, variant families
folded to one canonical word) and ``phonetic`` (a key in which spellings that sound alike meet:
j/y, kh/h/ch, sy/s, f/v/p, z/j, doubled letters, o/u, final h).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PREFIX_TITLES = frozenset(
    "h hj haji hajah ir dr drs dra prof kh ust ustadz ustadzah nyai kyai kiai raden rr r ny nn tn sdr sdri bpk ibu bu pak mbah mbok".split()
)
# Single-letter "r"/"h" are only titles when written with a dot, handled in _tokens.
AMBIGUOUS_SHORT_TITLES = frozenset({"r"})
DEGREE = re.compile(
    r"^(?:s|m|a|d|b)\.?\s?(?:pd|e|h|t|kom|ag|sos|kep|ked|farm|ip|hut|pt|si|sn|ak|psi|stat|tr|gz|hum|ds|ikom|kes|mat|kg|ars|pi|pd\.?i|sy|th|mb|si|md)\.?$"
    r"|^(?:amd|a\.?md|a\.?ma|a\.?md\.?\w+|ners|apt|spd|se|sh|st|skom|sag|ssos|mm|mpd|msi|mkes|mt|mh|phd|bsc|ba|ma|msc|ak|cpa|spog|spa|sppd|sked)\.?$",
    re.IGNORECASE,
)
MUHAMMAD = frozenset(
    "muhammad muhamad muhammat mohammad mohamad mohammed mohamed mochammad mochamad mochammat muchammad muchamad "
    "mukhammad mukhamad mohd muhd mhd moch moh mochd much muh mch md mochamat".split()
)
ABDUL = frozenset({"abdul", "abd", "abdoel", "abdol", "abdu"})
AHMAD = frozenset({"ahmad", "achmad", "akhmad", "ahmat", "achmat", "akhmat", "amad", "ahmed"})
NUR = frozenset({"nur", "noer", "nurul", "noor"})
CANONICAL = {**{w: "muhammad" for w in MUHAMMAD}, **{w: "abdul" for w in ABDUL}, **{w: "ahmad" for w in AHMAD},
             "noer": "nur", "noor": "nur"}
PATRONYMIC = frozenset({"bin", "binti", "bt", "bte"})
# Old (pre-1972 EYD) spelling still on many registrations.
OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
_NON_LETTER = re.compile(r"[^a-z\s.,'-]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class NormalName:
    """A normalised name. ``tokens`` is the modern-spelling form; ``phonetic`` the sound key
    per token; ``initials`` marks tokens that were abbreviations (``M.``) in the input."""

    raw: str
    tokens: tuple[str, ...]
    phonetic: tuple[str, ...]
    initials: frozenset[int]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def sorted_key(self) -> str:
        """Tokens in alphabetical order: the same person typed with words swapped meets here."""
        return " ".join(sorted(self.tokens))

    @property
    def phonetic_text(self) -> str:
        return " ".join(self.phonetic)

    @property
    def first(self) -> str:
        return self.tokens[0] if self.tokens else ""

    @property
    def first_phonetic(self) -> str:
        """The first informative word's sound key (skips a leading Muhammad/Abdul/Nur, which
        start a large share of names and would make blocks huge)."""
        for token, key in zip(self.tokens, self.phonetic, strict=True):
            if token not in ("muhammad", "abdul", "nur", "siti", "ahmad") or len(self.tokens) == 1:
                return key
        return self.phonetic[0] if self.phonetic else ""

    @property
    def is_empty(self) -> bool:
        return not self.tokens


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def modernise(word: str) -> str:
    """Old spelling to EYD: ``soekarno`` → ``sukarno``, ``djoko`` → ``joko``, ``tjahjo`` → ``cahjo``."""
    for old, new in OLD_SPELLING:
        if old in word:
            word = word.replace(old, new)
    return word


_PHONETIC_PAIRS = (("kh", "h"), ("sy", "s"), ("ny", "n"), ("ng", "n"), ("dz", "j"), ("ts", "s"), ("th", "t"),
                   ("dh", "d"), ("ph", "f"))
# Single letters after the pairs, in one pass: no replacement produces a letter a later one reads.
_PHONETIC_LETTERS = str.maketrans({"q": "k", "x": "ks", "z": "j", "y": "j", "v": "f", "p": "f", "o": "u", "e": "i", "w": "u"})
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def phonetic_key(word: str) -> str:
    """A key under which Indonesian spellings that sound alike coincide.

    ``cahyo``/``cahjo``/``tjahjo`` → ``cahju``; ``ahmad``/``achmad``/``akhmad`` → ``ahmad``;
    ``fatimah``/``fatima`` → ``fatima``; ``holil``/``kholil``/``cholil`` → ``hulil``.
    """
    w = modernise(word)
    for a, b in _PHONETIC_PAIRS:
        if a in w:
            w = w.replace(a, b)
    w = w.translate(_PHONETIC_LETTERS)
    if len(w) > 3 and w.endswith("h"):
        w = w[:-1]
    w = _DOUBLES.sub(r"\1", w)
    if len(w) > 3 and w.endswith("h"):
        w = w[:-1]
    return w


def clean_text(raw: str) -> str:
    """A name as its words are read from: accents stripped, lower case, apostrophes of one kind,
    anything but letters, spaces and ``.,'-`` a space."""
    return _NON_LETTER.sub(" ", _strip_accents(raw).lower().replace("`", "'").replace("’", "'"))


def only_degrees(tail: str) -> bool:
    """Whether what follows a name's first comma (cleaned, ``clean_text``) is degrees, which the
    name then drops with the comma: "Siti Aminah, S.Pd."."""
    return all(DEGREE.match(w) or w.strip(".") in ("", "m", "s") for w in re.split(r"[\s,]+", tail) if w)


def _tokens(raw: str) -> tuple[list[str], set[int]]:
    text = clean_text(raw)
    # Degrees come after a comma: "Siti Aminah, S.Pd." — drop everything after the first comma
    # when what follows looks like degrees.
    if "," in text:
        head, _, tail = text.partition(",")
        if only_degrees(tail):
            text = head
        else:
            text = head + " " + tail
    raw_words = [w for w in _SPACES.split(text.replace("-", " ")) if w]
    words: list[str] = []
    initials: set[int] = set()
    for i, word in enumerate(raw_words):
        dotted = word.endswith(".") or "." in word
        bare = word.replace(".", "").replace("'", "")
        if not bare:
            continue
        if DEGREE.match(word) and i > 0:
            continue
        is_last = i == len(raw_words) - 1
        if bare in PREFIX_TITLES and not is_last and not words:
            if bare in AMBIGUOUS_SHORT_TITLES and not dotted:
                pass
            else:
                continue
        if bare in PATRONYMIC and words:
            break  # "Ahmad bin Sulaiman": the father's name is not the person's name
        if dotted and len(bare) > 1 and "." in word.strip("."):
            # "S.Pd" glued, or initials "A.R." → separate letters
            parts = [p for p in word.split(".") if p]
            if all(len(p) == 1 for p in parts):
                for p in parts:
                    initials.add(len(words))
                    words.append(p)
                continue
        if len(bare) == 1 or (dotted and bare in MUHAMMAD | ABDUL):
            initials.add(len(words))
        words.append(bare)
    return words, initials


@lru_cache(maxsize=500_000)
def normalise_name(raw: str | None) -> NormalName:
    """Normalise one name as typed; never raises, an unusable name gives empty tokens."""
    if not raw:
        return NormalName(raw or "", (), (), frozenset())
    words, initials = _tokens(str(raw))
    tokens: list[str] = []
    for word in words:
        w = modernise(word)
        w = CANONICAL.get(w, CANONICAL.get(word, w))
        if len(word) == 1 and word == "m" and len(words) > 1:
            w = "muhammad"  # "M. Hakam": in East Java the abbreviation is almost always Muhammad
        tokens.append(w)
    return NormalName(
        raw=str(raw), tokens=tuple(tokens), phonetic=tuple(phonetic_key(t) for t in tokens), initials=frozenset(initials)
    )
