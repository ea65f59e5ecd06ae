"""Domain failures that a user cannot fix by correcting a form field.

User-fixable problems raise django.core.exceptions.ValidationError instead.
"""


class ApplicationError(Exception):
    """Base of every domain failure; ``message`` is in Bahasa Indonesia."""

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionDenied(ApplicationError):
    """The actor's role or unit does not allow this."""


class ImportRefused(ApplicationError):
    """A file was refused as a whole; ``message`` names file, row and column."""
