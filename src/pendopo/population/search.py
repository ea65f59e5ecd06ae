"""Name search through the identity engine's normaliser: each word of a name is stored as its
sound key (``ResidentNameToken``), and a query word matches keys that start with its own key,
found by an index range on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from pendopo.linkage.names import normalise_name
from pendopo.population.models import Resident, ResidentNameToken
from pendopo.population.services import insert_rows


def name_tokens(name: str | None) -> list[str]:
    """The sound keys of a name's words, each once, in order (titles and 'bin/binti' dropped)."""
    out: list[str] = []
    for key in normalise_name(name).phonetic:
        k = key[:40]
        if k and k not in out:
            out.append(k)
    return out


def token_rows(people: Iterable[tuple[int, str]]) -> list[tuple[object, ...]]:
    return [(pk, t) for pk, name in people for t in name_tokens(name)]


def tokens_insert(people: Iterable[tuple[int, str]]) -> None:
    """Keys of new residents, on the fast bulk path (imports, the demo generator)."""
    insert_rows(ResidentNameToken._meta.db_table, ["resident_id", "token"], token_rows(people))


def tokens_refresh(resident_ids: Iterable[int]) -> None:
    """Recompute the keys of residents whose name changed."""
    ids = list(resident_ids)
    if not ids:
        return
    ResidentNameToken.objects.filter(resident_id__in=ids).delete()
    tokens_insert(Resident.objects.filter(pk__in=ids).values_list("pk", "name"))


def _upper(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def filter_by_name(qs: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """Residents having, for every word typed, a name word whose sound key starts with that
    word's key ("joko sant" finds "Djoko Santoso"; "moh hakam" finds "Muhammad Hakam")."""
    keys = name_tokens(query)
    if not keys:
        return qs.none()
    for key in keys:
        # A range, not LIKE: both databases answer it from the (token, resident) index.
        ids = ResidentNameToken.objects.filter(token__gte=key, token__lt=_upper(key)).values("resident_id")
        qs = qs.filter(pk__in=ids)
    return qs
