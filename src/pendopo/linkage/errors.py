"""The one error tree of the identity engine."""


class LinkageError(Exception):
    """Base of every error the engine raises on purpose. ``str(exc)`` is one line for a person,
    in Bahasa Indonesia with an English gloss."""


class InputError(LinkageError):
    """An input file or column cannot be used (missing, empty, unreadable, wrong shape)."""

    def __init__(self, message: str, *, file: str = "", row: int | None = None, column: str = "") -> None:
        where = ", ".join(p for p in (file, f"baris {row}" if row is not None else "", f"kolom {column}" if column else "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.row, self.column, self.message = file, row, column, message


class ModelError(LinkageError):
    """The scoring model cannot be estimated or applied (for example no candidate pairs)."""
