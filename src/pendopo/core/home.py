"""Registries through which apps add navigation entries and home-page panels, so that core
never imports them. Apps register in their ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in account
    order: int = 50
    public: bool = False

    def visible_to(self, user: object) -> bool:
        if self.public:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if self.roles is None:
            return True
        return getattr(user, "role", None) in self.roles or bool(getattr(user, "is_superuser", False) and "admin" in self.roles)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Stat:
    label: str | Promise
    value: int | str
    url: str = ""


@dataclass(frozen=True)
class Panel:
    title: str | Promise
    text: str | Promise = ""
    stats: list[Stat] = field(default_factory=list)
    links: list[tuple[str | Promise, str]] = field(default_factory=list)
    order: int = 50


PanelProvider = Callable[[object], list[Panel]]
_nav: list[NavItem] = []
_panels: list[PanelProvider] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in _nav:
            _nav.append(item)


def register_panels(provider: PanelProvider) -> None:
    if provider not in _panels:
        _panels.append(provider)


def nav_for(user: object) -> list[NavItem]:
    return sorted((i for i in _nav if i.visible_to(user)), key=lambda i: i.order)


def panels_for(user: object) -> list[Panel]:
    panels: list[Panel] = []
    for provider in _panels:
        panels.extend(provider(user))
    return sorted(panels, key=lambda p: p.order)
