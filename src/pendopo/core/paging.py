"""Paging of long lists without counting millions of rows: the count stops at a cap, and the
pager says "more than N" and asks for a narrower search. Counting every match of a common name
word on a regency's registry costs more than showing the first page."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

CAP = 2_000


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count is at most ``cap``; ``capped`` tells whether there are more."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or CAP
        self.capped = False

    @cached_property
    def count(self) -> int:
        capped_count = getattr(self.object_list, "capped_count", None)
        n = capped_count(self.cap) if capped_count else self.object_list[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)
