"""Lossless JSON for model records, so every stored version can be read back whole.

The encoding follows the dataclass fields, so a field added to the model (with a
default) needs no change here, and old versions still decode.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, cast

from declass.model import Authority, Collection, Document, Event, Record

T = TypeVar("T")

RECORD_TYPES: dict[str, type[Any]] = {
    "document": Document,
    "authority": Authority,
    "event": Event,
    "collection": Collection,
}


_PLAIN = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(cls: Any) -> tuple[str, ...] | None:
    """The fields of a dataclass type, None for any other type (asked once a type)."""
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


def to_data(value: Any) -> Any:
    """A model value as plain JSON-ready data."""
    cls: Any = type(value)
    if cls in _PLAIN:  # most of a record: its text
        return value
    names = _field_names(cls)
    if names is not None:
        return {name: to_data(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    return value


@cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(cls: Any, data: Any) -> Any:
    """Rebuild a value of type `cls` from `to_data` output."""
    if data is None:
        return None
    origin = typing.get_origin(cls)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(cls) if a is not type(None)]
        return from_data(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], v) for v in data)
        return tuple(from_data(a, v) for a, v in zip(args, data, strict=True))
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        hints = _hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: from_data(hints[k], v) for k, v in data.items() if k in names})
    if isinstance(cls, type) and issubclass(cls, Enum):
        return cls(data)
    if cls is date:
        return date.fromisoformat(data)
    return data


def record_kind(record: Record) -> str:
    return next(k for k, t in RECORD_TYPES.items() if isinstance(record, t))


def encode(record: Record) -> str:
    return json.dumps(to_data(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decode(kind: str, text: str) -> Record:
    return cast(Record, from_data(RECORD_TYPES[kind], json.loads(text)))


def content_hash(record: Record) -> str:
    """Hash of what the record says, ignoring where and when it was read."""
    return serialise(record)[1]


def serialise(record: Record) -> tuple[str, str]:
    """The record's JSON and its content hash, from one walk over the record.

    Provenance is left out of the hash so that the same text read again, from a
    moved file or in a later run, counts as unchanged.
    """
    data = to_data(record)
    # Each top-level field encoded once, for both: exactly the bytes of encoding the
    # whole record with sorted keys, with and without its provenance.
    parts = {key: _dumps(key) + ":" + _dumps(data[key]) for key in sorted(data)}
    full = "{" + ",".join(parts.values()) + "}"
    blob = "{" + ",".join(v for k, v in parts.items() if k != "provenance") + "}"
    return full, hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
