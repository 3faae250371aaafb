"""What an edit changed, field by field, as a reader of the history sees it."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from declass.model import Document, Record
from declass.store import codec


@dataclass(frozen=True)
class FieldDiff:
    """One changed field: its name and the unified diff of its text, line by line
    (each line with "+", "-" or " " in front)."""

    field: str
    lines: tuple[str, ...]


def _shown(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines() or [""]
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).splitlines()


def record_diff(before: Record, after: Record) -> list[FieldDiff]:
    """The fields that differ between two states of a record; a document's texts are
    compared as their words, text by text, the rest as JSON."""
    old, new = codec.to_data(before), codec.to_data(after)
    out: list[FieldDiff] = []
    for name in old:
        if name == "provenance" or old[name] == new.get(name):
            continue
        if name == "texts" and isinstance(before, Document) and isinstance(after, Document):
            for i in range(max(len(before.texts), len(after.texts))):
                a = before.texts[i].plain if i < len(before.texts) else ""
                b = after.texts[i].plain if i < len(after.texts) else ""
                a_meta = codec.to_data(before.texts[i]) if i < len(before.texts) else None
                b_meta = codec.to_data(after.texts[i]) if i < len(after.texts) else None
                if a != b or a_meta != b_meta:
                    label = f"text {i + 1}"
                    if a == b:
                        out.append(FieldDiff(label, _unified(_shown(a_meta), _shown(b_meta))))
                    else:
                        out.append(FieldDiff(label, _unified(a.split("\n\n"), b.split("\n\n"))))
            continue
        out.append(FieldDiff(name, _unified(_shown(old[name]), _shown(new.get(name)))))
    return out


def _unified(a: list[str], b: list[str]) -> tuple[str, ...]:
    return tuple(
        line
        for line in difflib.unified_diff(a, b, lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    )
