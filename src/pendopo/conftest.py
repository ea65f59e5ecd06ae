from __future__ import annotations

from collections.abc import Iterator

import pytest

from pendopo.core.testing import FAR_VILLAGE, OTHER_VILLAGE, VILLAGE, Personas, make_personas


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Argon2 is the product's hasher (see test_settings); tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in Bahasa Indonesia: a request to an /en/ page leaves English active in
    the thread (the locale middleware activates it), and a later ``reverse`` would follow it."""
    from django.utils import translation

    with translation.override("id"):
        yield


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def population(db: None) -> None:
    """About 600 synthetic residents in two villages of Genteng and one in Kota Banyuwangi."""
    from pendopo.population.services import demo_population_generate

    demo_population_generate(actor=None, residents=600, seed=7, village_codes=[VILLAGE, OTHER_VILLAGE, FAR_VILLAGE])


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """On PostgreSQL the test database can only be dropped when no session is left on it. The
    live server of the browser tests can leave one idle behind (a request thread's connection
    outliving the test); end such sessions before pytest-django drops the database."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        connection.close()
