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


def internal_error_line(prog: str, exc: BaseException) -> str:
    """The one line a command prints for an error that is a bug rather than bad input; the
    details come with PENDOPO_DEBUG=1 (the command then raises instead)."""
    first = str(exc).splitlines()[0][:300] if str(exc) else ""
    return (f"{prog}: kesalahan internal ({exc.__class__.__name__}: {first}); jalankan lagi dengan "
            "PENDOPO_DEBUG=1 untuk rinciannya / internal error")
