from __future__ import annotations

import pytest

from pendopo.core.testing import FAR_VILLAGE, OTHER_VILLAGE, VILLAGE, Personas, make_personas


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Argon2 is the product's hasher (see test_settings); tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def population(db: None) -> None:
    """About 600 synthetic residents in two villages of Genteng and one in Kota Banyuwangi."""
    from pendopo.population.services import demo_population_generate

    demo_population_generate(actor=None, residents=600, seed=7, village_codes=[VILLAGE, OTHER_VILLAGE, FAR_VILLAGE])
