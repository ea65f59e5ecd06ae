"""Masking of identity numbers for roles that do not need the full value (UU 27/2022 PDP)."""

from __future__ import annotations

from pendopo.core.roles import FULL_IDENTITY_ROLES


def mask_number(value: str | None) -> str:
    """``3510012345670001`` → ``3510********0001``; short or odd values keep only their ends."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(name: str | None) -> str:
    """``Siti Aminah`` → ``S*** A*****``: enough to recognise oneself, not to find another."""
    if not name:
        return ""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())


def sees_full_identity(user: object) -> bool:
    """Whether this account's work needs unmasked NIK and KK numbers."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) in FULL_IDENTITY_ROLES)


def show_identity(user: object, value: str | None) -> str:
    return (value or "") if sees_full_identity(user) else mask_number(value)
