"""Columns between Python and DuckDB for the batch engine, without pyarrow.

Into DuckDB: a dict of numpy arrays, which DuckDB scans where they lie (text as object arrays of
``str``, ``None`` where a value is missing; numbers as typed arrays, masked where missing). Out
of DuckDB: a query's result as Arrow record batches through the Arrow PyCapsule interface, read
with nanoarrow as numpy views of their buffers. pyarrow's libraries alone held 30 MiB of a
200,000-row link job's 250 (decision 37); nanoarrow holds 2.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
from nanoarrow import ArrayStream, Type, c_array

# SQL types a Python column may be stored as, with the numpy type that carries them.
DTYPES: dict[str, Any] = {
    "VARCHAR": object, "BOOLEAN": np.bool_, "SMALLINT": np.int16, "INTEGER": np.int32,
    "BIGINT": np.int64, "DOUBLE": np.float64,
}
Schema = Sequence[tuple[str, str]]  # (column, SQL type)


def column(values: Sequence[Any] | np.ndarray, sql_type: str) -> np.ndarray:
    """``values`` as the numpy array DuckDB reads as ``sql_type``: ``None`` is NULL."""
    dtype = DTYPES.get(sql_type)
    if dtype is None:
        raise TypeError(f"unsupported SQL type {sql_type}")
    if dtype is object:
        text = np.empty(len(values), dtype=object)
        text[:] = values
        kinds = {kind for kind in set(map(type, text)) if kind is not type(None) and not issubclass(kind, str)}
        if kinds:
            raise TypeError(f"expected str or None, got {', '.join(sorted(k.__name__ for k in kinds))}")
        return text
    if isinstance(values, np.ndarray) and values.dtype != object:
        return np.ascontiguousarray(values, dtype=dtype)
    n = len(values)
    missing = np.fromiter((v is None for v in values), dtype=bool, count=n)
    data = np.fromiter((False if v is None else v for v in values), dtype=dtype, count=n)
    return np.ma.masked_array(data, mask=missing) if missing.any() else data


def store(con: duckdb.DuckDBPyConnection, name: str, columns: Mapping[str, Sequence[Any] | np.ndarray], schema: Schema,
          *, temp: bool = False, insert: bool = False) -> None:
    """Create (or replace) table ``name`` of these columns with ``schema``'s types, or with
    ``insert`` add them to it."""
    view = f"{name}_in"
    con.register(view, {c: column(columns[c], t) for c, t in schema})
    try:
        select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in schema)
        if insert:
            con.execute(f"INSERT INTO {name} SELECT {select} FROM {view}")  # noqa: S608 - own names
        else:
            con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {name} AS SELECT {select} FROM {view}")  # noqa: S608
    finally:
        con.unregister(view)


_FIXED = {Type.BOOL: None, Type.INT8: np.int8, Type.INT16: np.int16, Type.INT32: np.int32, Type.INT64: np.int64,
          Type.UINT8: np.uint8, Type.UINT16: np.uint16, Type.UINT32: np.uint32, Type.UINT64: np.uint64,
          Type.FLOAT: np.float32, Type.DOUBLE: np.float64}
_TEXT = {Type.STRING: np.int32, Type.LARGE_STRING: np.int64}


def _bits(buffer: Any, offset: int, n: int) -> np.ndarray:
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little", count=offset + n)[offset:].astype(bool)


def _array(array: Any) -> np.ndarray:
    """One Arrow array as numpy: numbers and booleans as such (masked where NULL), text as an
    object array with ``None`` where NULL (only the present values become ``str``: the few
    names a pair's facts carry among a hundred thousand NULLs)."""
    fmt = array.schema.type
    n, offset = len(array), array.offset
    buffers = array.buffers
    valid = _bits(buffers[0], offset, n) if c_array(array).null_count else None
    if fmt in _TEXT:
        out = np.full(n, None, dtype=object)
        bounds = np.frombuffer(buffers[1], dtype=_TEXT[fmt], count=offset + n + 1)[offset:]
        rows = np.flatnonzero(valid) if valid is not None else np.arange(n)
        if not len(rows):
            return out
        starts, ends = bounds[rows].tolist(), bounds[rows + 1].tolist()
        data = bytes(buffers[2])
        if data.isascii():  # byte offsets are character offsets: decoded once, sliced as text
            text = data.decode("ascii")
            out[rows] = [text[s:e] for s, e in zip(starts, ends, strict=True)]
        else:
            out[rows] = [data[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)]
        return out
    if fmt not in _FIXED:
        raise TypeError(f"unsupported Arrow type {fmt.name}")
    dtype = _FIXED[fmt]
    values = _bits(buffers[1], offset, n) if dtype is None else np.frombuffer(buffers[1], dtype=dtype, count=offset + n)[offset:]
    return values if valid is None else np.ma.masked_array(values, mask=~valid)


def batches(relation: duckdb.DuckDBPyRelation) -> Iterator[dict[str, np.ndarray]]:
    """A relation's result, a record batch at a time (DuckDB makes them 122,880 rows), each as
    columns by name. The arrays view the batch's memory: a batch lives as long as they do."""
    stream = ArrayStream(relation)
    names = [field.name for field in stream.schema.fields]
    for chunk in stream:
        yield {name: _array(chunk.child(i)) for i, name in enumerate(names)}
