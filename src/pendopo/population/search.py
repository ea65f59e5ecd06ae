"""Name search through the identity engine's normaliser: each word of a name is stored as its
sound key (``ResidentNameToken``), and a query word matches keys that start with its own key,
found by an index range on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

from django.db.models import Exists, OuterRef, QuerySet

from pendopo.population.checking import name_tokens
from pendopo.population.models import Resident, ResidentNameToken
from pendopo.population.services import insert_rows


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


def filter_by_name(qs: QuerySet[Resident], query: str, *, per_resident: bool = False) -> QuerySet[Resident]:
    """Residents having, for every word typed, a name word whose sound key starts with that
    word's key ("joko sant" finds "Djoko Santoso"; "moh hakam" finds "Muhammad Hakam").

    A range, not LIKE: both databases answer it from the (token, resident) index. With
    ``per_resident`` (a narrow list such as a village) each resident's keys are looked up;
    otherwise every match of each word is gathered first, which suits a wide list."""
    keys = name_tokens(query)
    if not keys:
        return qs.none()
    for key in keys:
        if per_resident:
            qs = qs.filter(Exists(ResidentNameToken.objects.filter(resident_id=OuterRef("pk"), token__gte=key, token__lt=_upper(key))))
        else:
            qs = qs.filter(pk__in=ResidentNameToken.objects.filter(token__gte=key, token__lt=_upper(key)).values("resident_id"))
    return qs


WIDE = 20_000  # above this many residents in scope, walk the key index instead of sorting matches
LEAD_CAP = 50_000


class NameMatches:
    """Residents matching a name query over a wide list (a regency's registry), walked along the
    index of one query word's keys: the first page and a capped count cost a few milliseconds
    however many people share a common name word. Ordered by the matched key, so people whose
    word is exactly the typed word come first, then longer words, each by registration.

    Behaves like the sliced, counted list a ``Paginator`` needs."""

    def __init__(self, residents: QuerySet[Resident], keys: list[str]) -> None:
        self.residents = residents
        # walk the rarest word's keys (each counted up to a cap, a few milliseconds on the index)
        lead = min(keys, key=lambda k: ResidentNameToken.objects.filter(token__gte=k, token__lt=_upper(k))[:LEAD_CAP].count())
        lo, hi = lead, _upper(lead)
        tokens = ResidentNameToken.objects.filter(token__gte=lo, token__lt=hi)
        # the other words first: the cheapest test, and the one that fails most often
        for key in keys:
            if key != lead:
                also = ResidentNameToken.objects.filter(resident_id=OuterRef("resident_id"), token__gte=key, token__lt=_upper(key))
                tokens = tokens.filter(Exists(also))
        # one row per resident: the first of their keys in the range
        twin = ResidentNameToken.objects.filter(resident_id=OuterRef("resident_id"), token__gte=lo, token__lt=hi, id__lt=OuterRef("id"))
        tokens = tokens.filter(~Exists(twin), Exists(residents.order_by().filter(pk=OuterRef("resident_id"))))
        self.ids = tokens.order_by("token", "resident_id").values_list("resident_id", flat=True)

    def count(self) -> int:
        return self.ids.count()

    def capped_count(self, cap: int) -> int:
        return self.ids[: cap + 1].count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, item: int) -> Resident: ...
    @overload
    def __getitem__(self, item: slice) -> list[Resident]: ...
    def __getitem__(self, item: int | slice) -> Resident | list[Resident]:
        if isinstance(item, int):
            return self[item : item + 1][0]
        ids = list(self.ids[item])
        found = self.residents.in_bulk(ids)
        return [found[i] for i in ids if i in found]


def search_by_name(residents: QuerySet[Resident], query: str) -> QuerySet[Resident] | NameMatches:
    """The page's name search: a narrow list (a village) filtered and sorted by name; a wide
    one walked along the key index (``NameMatches``)."""
    keys = name_tokens(query)
    if not keys:
        return residents.none()
    if residents.order_by()[: WIDE + 1].count() <= WIDE:
        return filter_by_name(residents, query, per_resident=True)
    return NameMatches(residents, keys)
