"""Proposing a score for a short answer by matching it against the rubric's phrasings.

Text is analysed into *terms*: words (letters and digits) lower-cased, contractions split
("don't" -> "do not"), stemmed with Snowball's English stemmer (so "validates", "validated"
and "validation" are one term), then runs of words listed together in the synonym table
("async", "asynchronous", "non-blocking"...) replaced by their group's name, and finally stop
words ("the", "is", "of"...) dropped. Synonyms are merged before stop words are dropped, so a
synonym may contain one ("i/o" is "i" + "o").

A phrasing matches when all its terms occur, in any order, within a window of
`len(terms) + WINDOW_SLACK` terms of the answer, and none of them is negated (a "not", "no",
"never", "without"... at most `NEGATION_SCOPE` terms before it in the same clause), unless the
phrasing itself holds the negation. A rubric point is earned when any of its phrasings matches.

Keyword stuffing has three guards, each with its limit:
- the window: a keyword that a wrong answer merely mentions earns nothing unless the
  phrasing's other words stand next to it; it does not stop a bare list of keywords, whose
  neighbours are keywords too;
- the list cap: an answer of at least `LIST_MIN_WORDS` words with fewer than
  `LIST_MAX_STOP_RATIO` stop words is not written in sentences, so its score is capped at a
  third and a note asks the reviewer to read it. A cap rather than a zero, since terse notes
  can be right; keywords padded with filler words ("the", "is") get past it;
- only the first `MAX_WORDS` words are read, so an essay touching every topic cannot collect
  every point, and the limit is easy to tell candidates.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import snowballstemmer  # type: ignore[import-untyped]

from grader.questions.models import PointMatch, Proposal, ShortAnswerQuestion

WINDOW_SLACK = 4
"""Extra terms a phrasing's window may hold, besides the phrasing's own terms."""
NEGATION_SCOPE = 3
MAX_WORDS = 200
LIST_MIN_WORDS = 8
LIST_MAX_STOP_RATIO = 0.1

NEGATORS = frozenset({"not", "no", "never", "neither", "nor", "cannot", "without"})

# A curated English stop list: NLTK's, less words that carry meaning in these answers
# ("before", "after", "not", "no"...), plus fillers and the stubs of "can't"/"won't".
STOP_WORDS = frozenset(
    {
        "a",
        "about",
        "above",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "basically",
        "be",
        "because",
        "been",
        "being",
        "below",
        "between",
        "but",
        "by",
        "ca",
        "can",
        "could",
        "d",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "e",
        "eg",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "g",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "ie",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "like",
        "ll",
        "m",
        "may",
        "me",
        "might",
        "more",
        "most",
        "must",
        "my",
        "myself",
        "now",
        "o",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "re",
        "really",
        "s",
        "same",
        "shall",
        "she",
        "should",
        "simply",
        "so",
        "some",
        "such",
        "t",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "usually",
        "ve",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "wo",
        "would",
        "y",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    }
)

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\n]")

_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Snowball English stem of a lower-case word (the stemmer object is not thread-safe)."""
    with _STEM_LOCK:
        return str(_STEMMER.stemWord(word))


@dataclass(frozen=True)
class _Word:
    stem: str
    start: int
    end: int
    stop: bool


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for m in _WORD.finditer(text):
        raw = m.group().lower().replace("\u2019", "'")
        parts = [raw[:-3], "not"] if raw.endswith("n't") else [raw.split("'", 1)[0]]
        for part in parts:
            if part:
                words.append(_Word(stem(part), m.start(), m.end(), part in STOP_WORDS))
    return words


@dataclass(frozen=True)
class Synonyms:
    """Words or phrases treated as one term: normalised phrase (stems) -> the group's term."""

    table: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: Mapping[str, Sequence[str]]) -> Synonyms:
        """Build from `{name: [synonym, ...]}`; raises ValueError when a phrase is in two groups
        or has no word."""
        table: dict[tuple[str, ...], str] = {}
        owner: dict[tuple[str, ...], str] = {}
        for name, members in groups.items():
            name_key = tuple(w.stem for w in _words(name))
            if not name_key:
                raise ValueError(f"synonym group name {name!r} has no word")
            term = "_".join(name_key)
            for phrase in [name, *members]:
                key = tuple(w.stem for w in _words(phrase))
                if not key:
                    raise ValueError(f"synonym {phrase!r} (group {name!r}) has no word")
                if key in owner and owner[key] != name:
                    raise ValueError(f"synonym {phrase!r} is in groups {owner[key]!r} and {name!r}")
                owner[key] = name
                table[key] = term
        return cls(table)

    @functools.cached_property
    def longest(self) -> int:
        return max((len(k) for k in self.table), default=0)


@dataclass(frozen=True)
class Term:
    """A content term of an analysed text, with its span in the original text."""

    term: str
    start: int
    end: int
    negated: bool = False


@dataclass(frozen=True)
class Analysis:
    terms: list[Term]
    words: int
    """Words read (stop words included), after truncation."""
    stop_words: int
    truncated: bool


def analyse(text: str, synonyms: Synonyms, max_words: int | None = None) -> Analysis:
    """The content terms of `text`, synonyms merged and negation scopes marked."""
    words = _words(text)
    truncated = max_words is not None and len(words) > max_words
    if max_words is not None:
        words = words[:max_words]
    merged: list[tuple[str, int, int, bool]] = []
    i = 0
    while i < len(words):
        for n in range(min(synonyms.longest, len(words) - i), 0, -1):
            key = tuple(w.stem for w in words[i : i + n])
            if key in synonyms.table:
                merged.append((synonyms.table[key], words[i].start, words[i + n - 1].end, False))
                i += n
                break
        else:
            w = words[i]
            merged.append((w.stem, w.start, w.end, w.stop))
            i += 1
    content = [(t, s, e) for t, s, e, stop in merged if not stop]
    negated = [False] * len(content)
    for n, (t, _, end) in enumerate(content):
        if t not in NEGATORS:
            continue
        prev_end = end
        for k in range(n + 1, min(n + 1 + NEGATION_SCOPE, len(content))):
            if _CLAUSE_BREAK.search(text, prev_end, content[k][1]):
                break
            negated[k] = True
            prev_end = content[k][2]
    terms = [Term(t, s, e, negated[n]) for n, (t, s, e) in enumerate(content)]
    stops = sum(1 for w in words if w.stop)
    return Analysis(terms, len(words), stops, truncated)


def phrasing_terms(phrasing: str, synonyms: Synonyms) -> list[str]:
    """The distinct content terms a phrasing requires, in order."""
    return list(dict.fromkeys(t.term for t in analyse(phrasing, synonyms).terms))


def find_phrasing(terms: Sequence[Term], required: Sequence[str]) -> tuple[int, int] | None:
    """Indices (first, last) of the shortest window of `terms` holding every required term
    within `len(required) + WINDOW_SLACK` terms, none negated; None if there is none."""
    if not required:
        return None
    wanted = set(required)
    checks_negation = not wanted & NEGATORS
    limit = len(wanted) + WINDOW_SLACK
    best: tuple[int, int] | None = None
    for first, term in enumerate(terms):
        if term.term not in wanted:
            continue
        seen: set[str] = set()
        for last in range(first, min(first + limit, len(terms))):
            if checks_negation and terms[last].negated and terms[last].term in wanted:
                break
            if terms[last].term in wanted:
                seen.add(terms[last].term)
            if seen == wanted:
                if best is None or last - first < best[1] - best[0]:
                    best = (first, last)
                break
    return best


def propose_score(question: ShortAnswerQuestion, text: str, synonyms: Synonyms) -> Proposal:
    """Propose a score for `text`: the rubric points whose phrasings match, and why.

    `synonyms` must be the table the question was validated with (its bank's)."""
    analysis = analyse(text, synonyms, MAX_WORDS)
    terms = analysis.terms
    notes: list[str] = []
    matches: list[PointMatch] = []
    for rubric_point in question.rubric:
        found: PointMatch | None = None
        if terms:
            for phrasing in rubric_point.phrasings:
                window = find_phrasing(terms, phrasing_terms(phrasing, synonyms))
                if window is not None:
                    evidence = text[terms[window[0]].start : terms[window[1]].end]
                    found = PointMatch(
                        point=rubric_point.point,
                        points=rubric_point.points,
                        phrasing=phrasing,
                        evidence=evidence,
                    )
                    break
        matches.append(found or PointMatch(point=rubric_point.point, points=rubric_point.points))
    points = sum(m.points for m in matches if m.matched)
    if not terms:
        notes.append("empty answer")
    if analysis.truncated:
        notes.append(f"only the first {MAX_WORDS} words were read")
    if (
        analysis.words >= LIST_MIN_WORDS
        and analysis.stop_words < LIST_MAX_STOP_RATIO * analysis.words
        and points * 3 > question.points
    ):
        points = question.points // 3
        notes.append("reads as a list of keywords, not sentences: capped at a third")
    return Proposal(
        question_id=question.id,
        points=points,
        max_points=question.points,
        matches=matches,
        notes=notes,
    )
