"""A unified diff between two submissions' files, as lines the template marks up (escaped
like any text): what changed between a candidate's attempts."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["add", "del", "hunk", "same", "head"]
#: A diff longer than this is cut (a reviewer reads a diff, not a data file).
MAX_LINES = 2000


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    text: str


@dataclass(frozen=True)
class FileDiff:
    name: str
    status: Literal["added", "removed", "changed", "same"]
    lines: list[DiffLine]
    cut: bool = False


def _kind(line: str) -> Kind:
    if line.startswith(("+++", "---")):
        return "head"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "same"


def diff_files(old: dict[str, str], new: dict[str, str]) -> list[FileDiff]:
    """Every file of either submission, in name order, with its changes (3 lines of context)."""
    diffs = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            diffs.append(FileDiff(name, "same", []))
            continue
        status: Literal["added", "removed", "changed"] = (
            "added" if before is None else "removed" if after is None else "changed"
        )
        raw = list(
            difflib.unified_diff(
                (before or "").splitlines(),
                (after or "").splitlines(),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
                lineterm="",
            )
        )
        lines = [DiffLine(_kind(line), line) for line in raw[:MAX_LINES]]
        diffs.append(FileDiff(name, status, lines, cut=len(raw) > MAX_LINES))
    return diffs
