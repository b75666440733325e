"""Readability of the English prose on the young person's pages (issue 14: Flesch–Kincaid grade
6 or below, for a 12-year-old on a phone at 11 pm).

The convention: a template marks a prose block with the attribute ``data-readable`` on its
``<p>`` (``<p class="govuk-body" data-readable>``). Only marked blocks are checked – headings,
labels, names, numbers and navigation are not prose, and are left unmarked. A block is
scored when it has at least ``MIN_WORDS`` words (textstat is not meaningful on a line or two).

textstat is used with the language ``en-GB``: syllables then come from pyphen's bundled
hyphenation dictionary. For ``en`` (exactly) textstat 0.7.13 looks words up in nltk's cmudict
and downloads it on first use; we never let it (a test fails if it tries)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: Flesch–Kincaid grade the young person's pages stay at or below.
MAX_GRADE = 6.0
#: Shorter blocks are not scored.
MIN_WORDS = 30
LANGUAGE = "en-GB"


@dataclass(frozen=True)
class Block:
    text: str
    words: int
    grade: float


class _Marked(HTMLParser):
    """Collects the text of every element carrying ``data-readable``, nested tags included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._depth = 0  # >0 inside a marked element
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += 1
        elif any(name == "data-readable" for name, _value in attrs):
            self._depth, self._parts = 1, []

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.blocks.append(" ".join("".join(self._parts).split()))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._parts.append(data)


def marked_blocks(html: str) -> list[str]:
    parser = _Marked()
    parser.feed(html)
    parser.close()
    return parser.blocks


def _words(text: str) -> int:
    # Words with a letter in them: a bare number ("0", "10", "999") is not a word a reader decodes.
    return sum(1 for token in text.split() if re.search(r"[A-Za-z]", token))


def grade(text: str) -> float:
    from textstat.textstat import textstatistics  # type: ignore[import-untyped]  # ships no types

    stats = textstatistics()
    stats.set_lang(LANGUAGE)
    return float(stats.flesch_kincaid_grade(text))


def scored_blocks(html: str) -> list[Block]:
    """The marked blocks long enough to score, with their grade."""
    return [
        Block(text=text, words=_words(text), grade=grade(text))
        for text in marked_blocks(html)
        if _words(text) >= MIN_WORDS
    ]
