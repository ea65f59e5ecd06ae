"""Model instances from rows of a plain statement, for the few statements every API request runs.

``Model.objects.raw`` maps the columns by name and works out the converters again on every
query; on the screening API that bookkeeping cost more than the database (about 0.5 ms for a
handful of rows). Here the statement selects the model's columns in field order (``columns``)
and the converters are worked out once per model and database vendor, the way the ORM's own
compiler applies them (SQLite hands dates back as text, for instance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models.expressions import Col

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]

_converters: dict[tuple[str, type[models.Model]], list[tuple[int, list[Converter], Col]]] = {}


def columns(model: type[models.Model], alias: str) -> str:
    """``alias.col1, alias.col2, …``: the model's concrete fields in order."""
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


def width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def _for(model: type[models.Model], using: str) -> list[tuple[int, list[Converter], Col]]:
    connection = connections[using]
    key = (connection.vendor, model)
    found = _converters.get(key)
    if found is None:
        found = []
        for i, field in enumerate(model._meta.concrete_fields):
            col = Col(model._meta.db_table, field)
            convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if convs:
                found.append((i, convs, col))
        _converters[key] = found
    return found


def instance(model: type[M], values: Sequence[Any], using: str = "default") -> M:
    """The model instance of one row's values (the model's concrete fields, in order), as the
    ORM would have loaded it."""
    connection = connections[using]
    row = list(values)
    for i, convs, col in _for(model, using):
        v = row[i]
        for convert in convs:
            v = convert(v, col, connection)
        row[i] = v
    return model.from_db(using, None, row)  # type: ignore[arg-type]


_inserts: dict[tuple[str, type[models.Model]], tuple[str, list[models.Field[Any, Any]]]] = {}


def insert(obj: M, using: str = "default") -> M:
    """Write one new instance as ``save()`` would (field defaults, ``pre_save``, the database's
    value adaptation) in one prepared statement, and set its primary key. For append-only rows
    written on every request (the audit trail); the model must have an automatic primary key
    and no save signals that matter."""
    model = type(obj)
    connection = connections[using]
    key = (connection.vendor, model)
    found = _inserts.get(key)
    if found is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        qn = connection.ops.quote_name
        sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 - the model's own names
               f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}")  # type: ignore[union-attr]
        found = _inserts[key] = (sql, fields)
    sql, fields = found
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]  # type: ignore[arg-type]
    with connection.cursor() as cur:
        cur.execute(sql, values)
        obj.pk = cur.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using
    return obj
