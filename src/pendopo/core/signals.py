"""Audit of sign-in, sign-out and failed sign-in (security events, not business logic)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pendopo.core.audit import audit_write
from pendopo.core.models import AuditKind


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_write(actor=user, action="auth.login", obj=user, kind=AuditKind.AUTH)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_write(actor=user, action="auth.logout", obj=user, kind=AuditKind.AUTH)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_write(
        actor=None, action="auth.login_failed", object_type="core.user",
        object_repr=str(credentials.get("username", ""))[:150], kind=AuditKind.AUTH,
    )
