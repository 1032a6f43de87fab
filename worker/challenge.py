"""A challenge folder (`challenges/<slug>/`) read into memory.

Layout: `challenge.toml` (metadata, limits, app environment), `README.md` (the prompt),
`starter/`, `tests/` (the hidden suite), `solution/` (reference), `mutants/<name>/` (wrong
answers the suite must catch) and, optionally, `alternatives/<name>/` (right answers in other
styles that must score full marks: the suite's fairness proof) and `equivalent-mutants.toml`
(automatic mutants of the reference that no HTTP behaviour tells apart from it, with why).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from worker.limits import Limits

#: Text files a challenge or submission folder may hold; everything else is ignored.
SOURCE_SUFFIXES = frozenset({".py", ".txt", ".json", ".toml", ".cfg", ".ini", ".md", ".sql"})
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")

Files = dict[str, str]
"""Relative POSIX path -> UTF-8 text."""


class ChallengeError(Exception):
    """A challenge folder is missing or malformed."""


class FilesError(ChallengeError):
    """A folder of source files cannot be read as UTF-8 text."""


class LimitOverrides(BaseModel):
    time_seconds: float | None = Field(default=None, gt=0, le=600)
    memory_mb: int | None = Field(default=None, ge=64, le=4096)


class ChallengeMeta(BaseModel):
    slug: str = Field(pattern=SLUG_RE.pattern)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=1000)
    difficulty: str = Field(pattern="^(easy|medium|hard)$")
    tags: list[str] = Field(default_factory=list)
    version: int = Field(default=1, ge=1)
    limits: LimitOverrides = Field(default_factory=LimitOverrides)
    env: dict[str, str] = Field(
        default_factory=dict, description="Environment variables given to the candidate's app."
    )


class ChallengeSpec(BaseModel):
    """Everything needed to grade against a challenge: its suite, limits and environment, plus
    the answers that prove the suite (reference, starter, mutants, alternatives)."""

    meta: ChallengeMeta
    prompt: str
    tests: Files = Field(description="The hidden suite: never shown to candidates.")
    starter: Files
    solution: Files
    mutants: dict[str, Files]
    alternatives: dict[str, Files] = Field(default_factory=dict)
    equivalent_mutants: dict[str, str] = Field(
        default_factory=dict,
        description="Automatic mutant id -> why it behaves like the reference over HTTP.",
    )

    @property
    def slug(self) -> str:
        return self.meta.slug

    def limits(self, defaults: Limits | None = None) -> Limits:
        base = defaults or Limits()
        return base.with_overrides(self.meta.limits.time_seconds, self.meta.limits.memory_mb)


def read_files(root: Path) -> Files:
    """Every source file under `root`, keyed by its POSIX path relative to `root`; a file that
    is not UTF-8 text is a `FilesError` naming it."""
    if root.is_file():
        return {root.name: _read_text(root)}
    files: Files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            files[rel.as_posix()] = _read_text(path)
    return files


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1]
        raise FilesError(
            f"{path}: not UTF-8 text (byte {exc.start}: {bad!r}); save it as UTF-8"
        ) from exc


def load_challenge(folder: Path) -> ChallengeSpec:
    """Read and check one challenge folder; raise `ChallengeError` saying what is wrong."""
    toml_path = folder / "challenge.toml"
    if not toml_path.is_file():
        raise ChallengeError(f"{folder}: no challenge.toml")
    try:
        meta = ChallengeMeta.model_validate(tomllib.loads(toml_path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ChallengeError(f"{toml_path}: {exc}") from exc
    bad_env = [name for name in meta.env if not ENV_NAME_RE.match(name)]
    if bad_env:
        raise ChallengeError(f"{toml_path}: bad environment variable names {bad_env}")
    for required in ("README.md", "tests", "solution", "starter"):
        if not (folder / required).exists():
            raise ChallengeError(f"{folder}: missing {required}")
    challenge = ChallengeSpec(
        meta=meta,
        prompt=(folder / "README.md").read_text(encoding="utf-8"),
        tests=read_files(folder / "tests"),
        starter=read_files(folder / "starter"),
        solution=read_files(folder / "solution"),
        mutants=_variants(folder / "mutants"),
        alternatives=_variants(folder / "alternatives"),
        equivalent_mutants=_equivalents(folder / "equivalent-mutants.toml"),
    )
    if not any(name.startswith("test_") or "/test_" in name for name in challenge.tests):
        raise ChallengeError(f"{folder}/tests: no test_*.py file")
    for label, files in [("solution", challenge.solution), ("starter", challenge.starter)]:
        if "main.py" not in files:
            raise ChallengeError(f"{folder}/{label}: no main.py")
    return challenge


class _Equivalent(BaseModel):
    id: str = Field(min_length=1)
    reason: str = Field(min_length=10, description="Why no HTTP request can tell it apart.")


def _equivalents(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(_read_text(path)).get("equivalent", [])
        entries = [_Equivalent.model_validate(entry) for entry in raw]
    except (tomllib.TOMLDecodeError, ValidationError, AttributeError) as exc:
        raise ChallengeError(f"{path}: {exc}") from exc
    return {entry.id: entry.reason for entry in entries}


def _variants(folder: Path) -> dict[str, Files]:
    if not folder.is_dir():
        return {}
    return {p.name: read_files(p) for p in sorted(folder.iterdir()) if p.is_dir()}


def resolve_challenge(name_or_path: str, catalog: Path) -> Path:
    """A slug under `catalog`, or a path to a challenge folder."""
    candidate = Path(name_or_path)
    if (candidate / "challenge.toml").is_file():
        return candidate
    if SLUG_RE.match(name_or_path) and (catalog / name_or_path / "challenge.toml").is_file():
        return catalog / name_or_path
    raise ChallengeError(
        f"no challenge {name_or_path!r}: "
        f"give a slug under {catalog} or a folder with challenge.toml"
    )
