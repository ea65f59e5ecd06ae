"""The request behind the current piece of work, for the audit trail (IP and path)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    path: str


current_request: ContextVar[RequestInfo | None] = ContextVar("pendopo_request", default=None)
