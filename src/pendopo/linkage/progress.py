"""The progress bar of the command-line jobs (``pendopo link``, ``pendopo screen``,
``pendopo import-roll``) on standard error, each stage named in Indonesian and English."""

from __future__ import annotations

import sys
from collections.abc import Callable

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


def progress_bar(enabled: bool) -> tuple[Callable[[str, int], None], Callable[[], None]]:
    """A progress bar for a job's stages: (update, close); ``update(stage, n)`` names the stage
    and shows ``n`` rows."""
    from tqdm import tqdm

    bar = tqdm(disable=not enabled, unit=" baris", file=sys.stderr, mininterval=0.5)

    def progress(stage: str, n: int) -> None:
        bar.set_description(STAGES.get(stage, stage), refresh=False)  # shown with its own count
        bar.n = n
        bar.refresh()

    return progress, bar.close
