"""Arrow columns from Python lists and numpy arrays, built from their buffers.

``pyarrow.array`` first asks pandas whether the values are a pandas object, and when pandas is
installed (Splink brings it, so does any analyst's environment) that imports it: about 50 MiB
of a link job that otherwise needs 200. These build the same arrays from raw buffers and never
touch pandas. A test compares them with ``pyarrow.array`` on random values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

_MAX_OFFSET = 2**31 - 1


def _validity(mask: np.ndarray) -> tuple[pa.Buffer | None, int]:
    """Arrow's validity bitmap of ``mask`` (True where the value is missing)."""
    missing = int(mask.sum())
    if not missing:
        return None, 0
    return pa.py_buffer(np.packbits(~mask, bitorder="little")), missing


def strings(values: Sequence[str | None]) -> pa.Array:
    n = len(values)
    mask = np.fromiter((v is None for v in values), dtype=bool, count=n)
    encoded = []
    for v in values:
        if v is None:
            encoded.append(b"")
        elif isinstance(v, str):
            encoded.append(v.encode("utf-8"))
        else:
            raise TypeError(f"expected str or None, got {type(v).__name__}")
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=n), out=offsets[1:])
    if offsets[-1] > _MAX_OFFSET:  # over 2 GiB of text: beyond the 32-bit layout; pyarrow chunks it
        return pa.array(values, pa.string())
    validity, missing = _validity(mask)
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))],
                                 null_count=missing)


def _numbers(values: Sequence[Any] | np.ndarray, arrow_type: pa.DataType, dtype: type) -> pa.Array:
    if isinstance(values, np.ndarray) and values.dtype != object:
        dense: np.ndarray = np.ascontiguousarray(values, dtype=dtype)
        return pa.Array.from_buffers(arrow_type, len(dense), [None, pa.py_buffer(dense)])
    n = len(values)
    mask = np.fromiter((v is None for v in values), dtype=bool, count=n)
    data: np.ndarray = np.fromiter((0 if v is None else v for v in values), dtype=dtype, count=n)
    validity, missing = _validity(mask)
    return pa.Array.from_buffers(arrow_type, n, [validity, pa.py_buffer(data)], null_count=missing)


def booleans(values: Sequence[bool | None]) -> pa.Array:
    n = len(values)
    mask = np.fromiter((v is None for v in values), dtype=bool, count=n)
    bits = np.packbits(np.fromiter((bool(v) for v in values), dtype=bool, count=n), bitorder="little")
    validity, missing = _validity(mask)
    return pa.Array.from_buffers(pa.bool_(), n, [validity, pa.py_buffer(bits)], null_count=missing)


_NUMBERS: dict[pa.DataType, type] = {
    pa.int64(): np.int64, pa.int32(): np.int32, pa.int16(): np.int16, pa.float64(): np.float64,
}


def column(values: Sequence[Any] | np.ndarray, arrow_type: pa.DataType) -> pa.Array:
    """``values`` as an Arrow array of ``arrow_type`` (string, bool, int16/32/64, float64)."""
    if arrow_type == pa.string():
        return strings(values)  # type: ignore[arg-type]
    if arrow_type == pa.bool_():
        return booleans(values)  # type: ignore[arg-type]
    dtype = _NUMBERS.get(arrow_type)
    if dtype is None:
        raise TypeError(f"unsupported Arrow type {arrow_type}")
    return _numbers(values, arrow_type, dtype)


def table(columns: Mapping[str, Sequence[Any] | np.ndarray], schema: pa.Schema) -> pa.Table:
    """A table of these columns with ``schema``'s types."""
    return pa.Table.from_arrays([column(columns[f.name], f.type) for f in schema], schema=schema)


_DTYPES: dict[pa.DataType, type] = {
    pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64,
    pa.uint8(): np.uint8, pa.uint16(): np.uint16, pa.uint32(): np.uint32, pa.uint64(): np.uint64,
    pa.float32(): np.float32, pa.float64(): np.float64,
}


def to_numpy(array: pa.Array) -> np.ndarray:
    """``array.to_numpy(zero_copy_only=False)`` without the conversion path that imports pandas,
    for booleans and numbers without nulls (the pair facts); anything else takes that path."""
    if array.null_count == 0:
        if pa.types.is_boolean(array.type):
            bits = np.frombuffer(array.buffers()[1], dtype=np.uint8)
            start = array.offset
            return np.unpackbits(bits, bitorder="little", count=start + len(array))[start:].astype(bool)
        dtype = _DTYPES.get(array.type)
        if dtype is not None:  # a view of the values buffer (to_numpy, even zero-copy, imports pandas)
            return np.frombuffer(array.buffers()[1], dtype=dtype, count=array.offset + len(array))[array.offset:]
    converted: np.ndarray = array.to_numpy(zero_copy_only=False)
    return converted
