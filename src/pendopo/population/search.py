"""Name search through the identity engine's normaliser: each word of a name is stored as its
sound key (``ResidentNameToken``), and a query word matches keys that start with its own key,
found by an index range on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

from django.db import connection
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
FIRST_STEP, LAST_STEP = 200, 20_000


class NameMatches:
    """Residents matching a name query over a wide list (a regency's registry), walked along the
    index of one query word's keys: the first page and a capped count cost a few milliseconds
    however many people share a common name word. Ordered by the matched key, so people whose
    word is exactly the typed word come first, then longer words, each by registration.

    The walk is done here, a step at a time, with two small statements: the next entries of the
    key range in index order (a row-value seek past the last step) that have the other query
    words too, as many as are still wanted, and which of those residents the list's filters keep
    (by primary key). One statement over the registry with the scope and the order inside let
    PostgreSQL plan hash joins over the whole key table for common words (seconds); these are
    bounded by the two words' key ranges whatever the plan.

    Behaves like the sliced, counted list a ``Paginator`` needs."""

    def __init__(self, residents: QuerySet[Resident], keys: list[str]) -> None:
        self.residents = residents
        # walk the rarest word's keys (each counted up to a cap, a few milliseconds on the index)
        self.lead = keys[0] if len(keys) == 1 else min(
            keys, key=lambda k: ResidentNameToken.objects.filter(token__gte=k, token__lt=_upper(k))[:LEAD_CAP].count())
        self.others = [k for k in keys if k != self.lead]
        self.found: list[int] = []
        self._seen: set[int] = set()
        self._after: tuple[str, int] | None = None
        self._step = FIRST_STEP
        self._done = False

    def _entries(self, step: int) -> list[tuple[str, int]]:
        table = ResidentNameToken._meta.db_table
        args: list[object] = [self.lead, _upper(self.lead)]
        seek = ""
        if self._after is not None:
            seek = " AND (token, resident_id) > (%s, %s)"
            args += list(self._after)
        also = ""
        for key in self.others:  # each other word, in the same statement
            also += (f" AND EXISTS (SELECT 1 FROM {table} o WHERE o.resident_id = {table}.resident_id"  # noqa: S608 - fixed identifiers
                     " AND o.token >= %s AND o.token < %s)")
            args += [key, _upper(key)]
        sql = (f"SELECT token, resident_id FROM {table} WHERE token >= %s AND token < %s{seek}{also} "  # noqa: S608 - fixed identifiers
               f"ORDER BY token, resident_id LIMIT {int(step)}")
        with connection.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def _fill(self, want: int | None) -> None:
        while not self._done and (want is None or len(self.found) < want):
            # as many entries as still wanted (the scope may drop some: then more each round)
            step = min(LAST_STEP, max(self._step, FIRST_STEP if want is None else want - len(self.found)))
            entries = self._entries(step)
            self._step = min(LAST_STEP, step * 4)
            if len(entries) < step:
                self._done = True
            if not entries:
                break
            self._after = entries[-1]
            ids = []
            for _, rid in entries:  # a resident once: at the first of their keys in the range
                if rid not in self._seen:
                    self._seen.add(rid)
                    ids.append(rid)
            if ids:
                kept = set(self.residents.order_by().filter(pk__in=ids).values_list("pk", flat=True))
                self.found.extend(i for i in ids if i in kept)

    def count(self) -> int:
        self._fill(None)
        return len(self.found)

    def capped_count(self, cap: int) -> int:
        self._fill(cap + 1)
        return min(len(self.found), cap + 1)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, item: int) -> Resident: ...
    @overload
    def __getitem__(self, item: slice) -> list[Resident]: ...
    def __getitem__(self, item: int | slice) -> Resident | list[Resident]:
        if isinstance(item, int):
            return self[item : item + 1][0]
        self._fill(None if item.stop is None else item.stop)
        ids = self.found[item]
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
