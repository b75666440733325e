"""Safe small numbers: counts that could identify someone are not shown (ADR 018).

Shared by every page or export that shows counts of people (outcomes' feedback summary now,
issue 15's reports later). Plain typed functions; templates show a suppressed count as "[c]"
(StatsWales' mark) with the translated explanation (``Cell.explanation``), e.g. through
``core/templates/core/disclosed.html``.

- **Primary suppression**: a count from 1 to threshold − 1 is suppressed. **0 is shown**: "nobody"
  identifies nobody, and hiding zeros would make every sparse table a wall of [c] that tells
  readers less without protecting anyone. The cost is that a reader knows every [c] is at least
  1; secondary suppression below is designed for that reader.
- **Secondary suppression** (a row of cells whose total is shown): if the suppressed cells could
  be worked out from the total minus the shown cells, more cells are suppressed, the smallest
  non-zero ones first, until they cannot; if that is impossible, the total is suppressed too.
- **Rounding** (optional): shown counts rounded to the nearest ``round_to`` (e.g. 5); which cells
  are suppressed is always decided on the true counts.

The reader this protects against knows the rule, the total and every shown cell, and that each
[c] is a whole number of at least 1. With one [c] in a row it is total − shown. With several, each
lies between 1 and (total − shown) − (number of [c] − 1), a single value only when every [c] is 1:
so a row is safe when it has no [c], or at least two whose sum is more than their number.
Issue 15 adds suppression across the tables of a whole release (row and column totals); this
module decides one row at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: The mark shown in place of a suppressed count (StatsWales and the ONS use "[c]", confidential).
MARK = "[c]"


def threshold() -> int:
    """The smallest count that may be shown (``NYTH_SMALL_NUMBER_THRESHOLD``, 5 by default)."""
    return int(getattr(settings, "NYTH_SMALL_NUMBER_THRESHOLD", 5))


class Reason(StrEnum):
    SHOWN = ""
    SMALL = "small"  # primary: 1 to threshold − 1
    SECONDARY = "secondary"  # would let a small count be worked out from the total
    WITHHELD = "withheld"  # a whole table of a release not shown (core/releases.py)
    FEW = "few"  # a percentage, mean or median of fewer than threshold people (core/releases.py)
    ALL_OR_NONE = "all_or_none"  # 0 % or 100 % of fewer than 10 people (core/releases.py)


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: ``value`` is None when suppressed (never carry the true count
    into a template: what is not in the context cannot leak)."""

    value: int | None
    reason: Reason = Reason.SHOWN
    limit: int = 5

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @property
    def explanation(self) -> str:
        """Why the count is not shown, in the active language ('' when shown)."""
        if self.reason is Reason.SMALL:
            return ngettext(
                "fewer than %(threshold)s: not shown so nobody can be identified",
                "fewer than %(threshold)s: not shown so nobody can be identified",
                self.limit,
            ) % {"threshold": self.limit}
        if self.reason is Reason.SECONDARY:
            return ngettext(
                "not shown so that a number fewer than %(threshold)s cannot be worked out from the total",
                "not shown so that a number fewer than %(threshold)s cannot be worked out from the total",
                self.limit,
            ) % {"threshold": self.limit}
        if self.reason is Reason.WITHHELD:
            return ngettext(
                "not shown: too few people in this table for any of it to be shown safely (fewer than %(threshold)s)",
                "not shown: too few people in this table for any of it to be shown safely (fewer than %(threshold)s)",
                self.limit,
            ) % {"threshold": self.limit}
        if self.reason is Reason.FEW:
            return ngettext(
                "based on fewer than %(threshold)s people: not shown so nobody can be identified",
                "based on fewer than %(threshold)s people: not shown so nobody can be identified",
                self.limit,
            ) % {"threshold": self.limit}
        if self.reason is Reason.ALL_OR_NONE:
            return _("none or all of fewer than 10 people: not shown, as it would tell something about each of them")
        return ""

    def __str__(self) -> str:
        return MARK if self.value is None else str(self.value)


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    total: Cell

    @property
    def any_suppressed(self) -> bool:
        return self.total.suppressed or any(c.suppressed for c in self.cells)


def is_small(count: int, limit: int | None = None) -> bool:
    """Whether ``count`` must not be shown: 1 to threshold − 1 (0 is shown, see the module)."""
    limit = threshold() if limit is None else limit
    return 0 < count < limit


def _rounded(count: int, round_to: int | None) -> int:
    if not round_to:
        return count
    # Half up (7.5 → 10), not Python's round-half-even, so equal counts always round alike.
    return ((count + round_to // 2) // round_to) * round_to


def suppress(count: int, *, limit: int | None = None, round_to: int | None = None) -> Cell:
    """One count on its own (no total beside it): primary suppression, optional rounding."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    limit = threshold() if limit is None else limit
    if is_small(count, limit):
        return Cell(None, Reason.SMALL, limit)
    return Cell(_rounded(count, round_to), Reason.SHOWN, limit)


def recoverable(values: Sequence[int]) -> bool:
    """Whether suppressed cells holding ``values`` could be worked out from their sum by a
    reader who knows each is at least 1: one cell, or all of them 1."""
    return len(values) == 1 or (len(values) > 1 and sum(values) == len(values))


def suppress_row(counts: Sequence[int], *, limit: int | None = None, round_to: int | None = None) -> Row:
    """A row of counts and its total (their sum), with primary and secondary suppression.

    The total is shown unless it is itself small. When it is shown and the row's suppressed
    cells could be recovered from it (``recoverable``), the smallest non-zero shown cell is
    suppressed as well, again until they cannot; a row that cannot be made safe that way (no
    non-zero cell left) has its total suppressed instead. Cells at or above the threshold are
    therefore shown unless needed for this."""
    if any(c < 0 for c in counts):
        raise ValueError("a count cannot be negative")
    limit = threshold() if limit is None else limit
    total = sum(counts)
    reasons = [Reason.SMALL if is_small(c, limit) else Reason.SHOWN for c in counts]
    total_reason = Reason.SMALL if is_small(total, limit) else Reason.SHOWN
    if total_reason is Reason.SHOWN and any(reasons):
        while recoverable([c for c, r in zip(counts, reasons, strict=True) if r]):
            candidates = [i for i, (c, r) in enumerate(zip(counts, reasons, strict=True)) if not r and c > 0]
            if not candidates:
                total_reason = Reason.SECONDARY
                break
            # The smallest first (the least information lost); ties: the leftmost, so the
            # choice is the same every time the same row is shown.
            reasons[min(candidates, key=lambda i: (counts[i], i))] = Reason.SECONDARY
    cells = [
        Cell(None, r, limit) if r else Cell(_rounded(c, round_to), Reason.SHOWN, limit)
        for c, r in zip(counts, reasons, strict=True)
    ]
    shown_total = (
        Cell(None, total_reason, limit) if total_reason else Cell(_rounded(total, round_to), Reason.SHOWN, limit)
    )
    return Row(cells, shown_total)


def note(limit: int | None = None) -> str:
    """The sentence explaining [c] beside a table, in the active language."""
    limit = threshold() if limit is None else limit
    return ngettext(
        "%(mark)s: fewer than %(threshold)s, or a number that would let one fewer than %(threshold)s be "
        "worked out: not shown so nobody can be identified.",
        "%(mark)s: fewer than %(threshold)s, or a number that would let one fewer than %(threshold)s be "
        "worked out: not shown so nobody can be identified.",
        limit,
    ) % {"mark": MARK, "threshold": limit}


__all__ = ["MARK", "Cell", "Reason", "Row", "is_small", "note", "recoverable", "suppress", "suppress_row", "threshold"]
