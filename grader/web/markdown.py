"""Markdown (prompts, instructions, questions) rendered on the server and sanitised: raw HTML
in the source is shown as text (markdown-it's `html` off), and the output goes through nh3 with
an allow-list, so an uploaded prompt cannot put a script, a style or an event handler on a
page. Links keep to http(s) and mailto and open with rel="noopener noreferrer"."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for `text` (Markdown)."""
    html = _parser().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(clean)  # sanitised just above


_CODE_SPAN = re.compile(r"`([^`]+)`")


def inline(text: str | None) -> Markup:
    """A short text (a question's title, an option) with its `code` spans shown as code:
    escaped first, then only the backtick pairs become <code>."""
    escaped = str(escape(text or ""))
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))  # escaped just above
