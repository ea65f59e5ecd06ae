"""A list the API paginator slices before anything is read: only the page shown is audited
and serialised, however long the filtered list is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet


class AuditedPage:
    """``render`` gets the rows of the page (a list of model objects), records that they were
    shown, and returns what the endpoint sends."""

    def __init__(self, qs: QuerySet[Any], render: Callable[[list[Any]], list[Any]]) -> None:
        self.qs, self.render = qs, render

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item: slice) -> list[Any]:
        return self.render(list(self.qs[item]))
