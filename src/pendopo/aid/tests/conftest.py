from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from pendopo.aid.linkage import CachedCatalogue, OnlineIndex
from pendopo.aid.tests.helpers import registry_file, rolls_file


@pytest.fixture
def loaded(tmp_path: Path, db: None) -> Path:
    """The hand-made registry and rolls of ``helpers`` in the database."""
    OnlineIndex.reset()
    call_command("import_registry", str(registry_file(tmp_path)), quiet=True)
    call_command("import_roll", str(rolls_file(tmp_path)), quiet=True)
    return tmp_path


@pytest.fixture(autouse=True)
def _fresh_catalogue() -> None:
    # Each test's database starts from the default matrix; sequences do not roll back on
    # PostgreSQL, so a cached matrix version could match by chance.
    CachedCatalogue.reset()
