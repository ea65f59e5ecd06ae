"""Marking messages for the translation catalogue without Django (this package never imports it)."""


def gettext_noop(message: str) -> str:
    """Returns ``message`` unchanged; ``makemessages`` collects the call's literal, and a page
    translates the message when it shows it."""
    return message


# What the progress bars of ``pendopo link`` and ``pendopo screen`` call each stage of a job:
# Indonesian first, English after the slash, as every message of the command line.
STAGES = {
    "load:l": "membaca kiri / reading left", "load:r": "membaca kanan / reading right",
    "load:registry": "membaca data kependudukan / reading the registry",
    "prepare:registry": "menyiapkan data kependudukan / preparing the registry",
    "prepare:intake": "menyiapkan usulan / preparing the intake", "pairs": "pasangan kandidat / candidate pairs",
    "compare": "membandingkan / comparing", "fit": "memperkirakan model / fitting the model",
    "rank": "mengurutkan kandidat / ranking candidates", "registry": "mencocokkan usulan / resolving the intake",
    "holdings": "membaca penerima bantuan / reading holdings", "decide": "memutuskan / deciding",
}


def stage_label(stage: str) -> str:
    return STAGES.get(stage, stage)
