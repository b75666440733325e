"""A release: every table of one period, suppressed together (issue 15's reports; ADR 021).

Commissioners get, for one indicator and one fixed period (a quarter, a year), a *release*: the
total, one-way breakdowns (by local authority, age band, gender, …) and a few fixed two-way tables.
A reader holds every table of the release at once, so suppression is decided for the whole
release: a number appearing in two tables (Cardiff's count in the breakdown by local authority
and as a row total of local authority × age band) is one quantity with one decision.

**The reader this protects against** (issue 15's) knows every shown number, that every count is
a whole number of at least 0 and that every [c] is at least 1 (zeros are shown, as in
``core.disclosure.suppress_row``), and solves the joint constraints of all the tables – over the
full cross-classification of the release's people – by integer linear programming. (A reader who
also uses what a mark says – a [c] "fewer than 5" is 1 to 4, a secondary one at least 5 – can
narrow a [c] further; see ADR 021.) A release is
**safe** when every [c] could still be any of at least ``limit`` whole numbers (its feasible range,
largest − smallest, is at least ``limit`` − 1). ``core/tests/test_releases.py`` attacks random
releases exactly so with ``scipy.optimize.milp`` (a test dependency only).

How it is decided, with no solver at run time:

- **The total** is shown unless it is small; then the whole release is withheld: every number
  in it would be a part of fewer than ``limit`` people.
- **Independence.** Each dimension appears in at most one two-way table. With the total shown,
  tables on different dimensions constrain each other only through the total (any one-way and
  disjoint two-way margins with a common total come from some cross-classification), so each
  table is protected on its own and the release is safe when each table is. A one-way breakdown of
  a dimension in a two-way table *is* that table's margin: the same cells.
- **A table is a circulation**: one unit of flow per person from the total to a row, to a cell,
  to a column and back to the total. Shown numbers are fixed arcs; [c] arcs may carry 1 or more.
  How far a [c] can move is a maximum flow around it (``_Circulation.movement``): exact, the same
  answer as the linear programme, on graphs of a few dozen nodes.
- **Primary** suppression (1 to limit − 1); then, while some [c] can move less than needed, the
  smallest non-zero shown number of its row or column (cells before margins; then anywhere in the
  table) is suppressed as well (**secondary**). If a table cannot be made safe that way it is
  **withheld** whole (a sentence, not a grid of [c]: a withheld table tells a reader nothing, not
  even that its cells are at least 1); a breakdown that was its margin is then tried on its own.
- **Rounding** (optional, e.g. to the nearest 5) is applied to shown numbers after the decision,
  which is made on the true counts: rounding only widens what a reader can infer.

Percentages, means and medians: ``share`` and ``statistic`` below (fewer than ``limit`` people,
or 0 % / 100 % of fewer than 10, are not shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.disclosure import Cell, Reason, _rounded, is_small, threshold

#: 0 % or 100 % is not shown of fewer than this many people (it tells something about each).
ALL_OR_NONE_BELOW = 10


@dataclass(frozen=True)
class Breakdown:
    """A one-way table: the release's people counted by one dimension. Every person is in exactly
    one category ("not recorded" is a category), so the counts add up to the release's total."""

    dimension: str
    counts: Mapping[str, int]


@dataclass(frozen=True)
class CrossTable:
    """A fixed two-way table, ``counts[(row category, column category)]``; its margins are
    worked out from it."""

    rows: str
    columns: str
    counts: Mapping[tuple[str, str], int]


@dataclass(frozen=True)
class SuppressedTable:
    rows: str
    columns: str
    cells: dict[tuple[str, str], Cell]
    row_totals: dict[str, Cell]
    column_totals: dict[str, Cell]
    withheld: bool = False


@dataclass(frozen=True)
class Release:
    """What may be shown of one release: the only form in which its counts leave this module."""

    total: Cell
    breakdowns: dict[str, dict[str, Cell]]
    tables: list[SuppressedTable]
    limit: int
    round_to: int | None
    withheld_breakdowns: frozenset[str] = field(default_factory=frozenset)

    def cells(self) -> Iterable[Cell]:
        yield self.total
        for counts in self.breakdowns.values():
            yield from counts.values()
        for table in self.tables:
            yield from table.cells.values()
            yield from table.row_totals.values()
            yield from table.column_totals.values()

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self.cells())


#: A quantity: ("total",); ("one", dimension, category); ("two", rows, row cat, columns, column cat).
Key = tuple[str, ...]


def _max_flow(capacity: dict[str, dict[str, int]], source: str, sink: str, cap: int) -> int:
    """Edmonds–Karp, stopping once ``cap`` is reached (all the caller needs to know)."""
    residual = {u: dict(vs) for u, vs in capacity.items()}
    flow = 0
    while flow < cap:
        parents: dict[str, str] = {source: source}
        queue = [source]
        for u in queue:  # breadth first: the queue grows while it is walked
            for v, c in residual.get(u, {}).items():
                if c > 0 and v not in parents:
                    parents[v] = u
                    queue.append(v)
        if sink not in parents:
            break
        path, v = [], sink
        while v != source:
            path.append((parents[v], v))
            v = parents[v]
        push = min(cap - flow, *(residual[u][w] for u, w in path))
        for u, w in path:
            residual[u][w] -= push
            back = residual.setdefault(w, {})
            back[u] = back.get(u, 0) + push
        flow += push
    return flow


class _Circulation:
    """One table as a circulation: the arc for quantity ``key`` runs ``ends[key]`` and carries
    the true count ``value[key]``. The total's arc closes every cycle and is always shown."""

    def __init__(self) -> None:
        self.ends: dict[Key, tuple[str, str]] = {}
        self.value: dict[Key, int] = {}
        self.lines: dict[Key, list[Key]] = {}  # quantity → the others sharing a row or column with it

    def arc(self, key: Key, tail: str, head: str, value: int) -> None:
        self.ends[key], self.value[key] = (tail, head), value

    def movement(self, key: Key, hidden: set[Key], enough: int) -> int:
        """How far a reader cannot pin the [c] ``key`` down (largest − smallest feasible value),
        counted up to ``enough``: other [c] arcs may carry 1 or more, shown arcs are fixed."""
        big = sum(self.value.values()) + enough
        graph: dict[str, dict[str, int]] = {}

        def add(u: str, v: str, c: int) -> None:
            graph.setdefault(u, {})[v] = graph.get(u, {}).get(v, 0) + c

        for other in hidden:
            if other != key:
                tail, head = self.ends[other]
                add(tail, head, big)  # it could hold more…
                add(head, tail, self.value[other] - 1)  # …or less, down to 1
        tail, head = self.ends[key]
        more = _max_flow(graph, head, tail, enough)  # more on this arc comes back round a cycle
        less = min(self.value[key] - 1, _max_flow(graph, tail, head, enough))
        return min(enough, more + less)


def _one_way(dimension: str, counts: Mapping[str, int], total: int) -> _Circulation:
    net = _Circulation()
    net.arc(("total",), "end", "start", total)
    keys = [("one", dimension, c) for c in counts]
    for key, value in zip(keys, counts.values(), strict=True):
        net.arc(key, "start", "end", value)
        net.lines[key] = [k for k in keys if k != key]
    return net


def _two_way(table: CrossTable, total: int) -> _Circulation:
    net = _Circulation()
    net.arc(("total",), "end", "start", total)
    rows = list(dict.fromkeys(r for r, _ in table.counts))
    columns = list(dict.fromkeys(c for _, c in table.counts))
    for r in rows:
        net.arc(("one", table.rows, r), "start", f"r:{r}", sum(v for (rr, _), v in table.counts.items() if rr == r))
    for c in columns:
        net.arc(("one", table.columns, c), f"c:{c}", "end", sum(v for (_, cc), v in table.counts.items() if cc == c))
    cell_keys = {(r, c): ("two", table.rows, r, table.columns, c) for r, c in table.counts}
    for (r, c), key in cell_keys.items():
        net.arc(key, f"r:{r}", f"c:{c}", table.counts[(r, c)])
    for (r, c), key in cell_keys.items():
        # Cells first, then the margins of its row and column.
        same_line = [k for (rr, cc), k in cell_keys.items() if (rr == r) != (cc == c)]
        net.lines[key] = [*same_line, ("one", table.rows, r), ("one", table.columns, c)]
    for r in rows:
        net.lines[("one", table.rows, r)] = [k for (rr, _), k in cell_keys.items() if rr == r] + [
            ("one", table.rows, o) for o in rows if o != r
        ]
    for c in columns:
        net.lines[("one", table.columns, c)] = [k for (_, cc), k in cell_keys.items() if cc == c] + [
            ("one", table.columns, o) for o in columns if o != c
        ]
    return net


def _protect(net: _Circulation, limit: int) -> set[Key] | None:
    """The [c]s of one table (primary, then secondary), or None if it cannot be made safe."""
    enough = limit - 1
    order = {key: i for i, key in enumerate(net.ends)}
    hidden = {k for k, v in net.value.items() if k != ("total",) and is_small(v, limit)}
    while True:
        weak = next(
            (k for k in sorted(hidden, key=order.__getitem__) if net.movement(k, hidden, enough) < enough), None
        )
        if weak is None:
            return hidden

        def shown(keys: Iterable[Key]) -> list[Key]:
            return [k for k in keys if k not in hidden and k != ("total",) and net.value[k] > 0]

        near = shown(net.lines[weak]) or shown(net.ends)
        if not near:
            return None
        # The smallest first (least lost), cells before margins, then the first in the table,
        # so the same release is always suppressed the same way.
        hidden.add(min(near, key=lambda k: (k[0] != "two", net.value[k], order[k])))


def _cell(value: int, reason: Reason, limit: int, round_to: int | None) -> Cell:
    return Cell(None, reason, limit) if reason else Cell(_rounded(value, round_to), Reason.SHOWN, limit)


def suppress_release(
    total: int,
    breakdowns: Sequence[Breakdown] = (),
    tables: Sequence[CrossTable] = (),
    *,
    limit: int | None = None,
    round_to: int | None = None,
) -> Release:
    """Suppress one release as a whole (see the module). ``total`` is the number of people the
    release counts; every breakdown and table must count the same people."""
    limit = threshold() if limit is None else limit
    _check(total, breakdowns, tables)
    if is_small(total, limit):
        return _withheld_release(total, breakdowns, tables, limit, round_to)
    hidden: set[Key] = set()
    out_tables: list[SuppressedTable] = []
    margins_shown: set[str] = set()  # dimensions whose breakdown is a shown table's margin
    for table in tables:
        net = _two_way(table, total)
        found = _protect(net, limit)
        if found is None:
            out_tables.append(_withheld_table(table, limit))
            continue
        hidden |= found
        margins_shown |= {table.rows, table.columns}
        out_tables.append(_shown_table(table, net, found, limit, round_to))
    out_breakdowns: dict[str, dict[str, Cell]] = {}
    withheld: set[str] = set()
    for breakdown in breakdowns:
        keys = {c: ("one", breakdown.dimension, c) for c in breakdown.counts}
        if breakdown.dimension not in margins_shown:
            found = _protect(_one_way(breakdown.dimension, breakdown.counts, total), limit)
            if found is None:
                withheld.add(breakdown.dimension)
                out_breakdowns[breakdown.dimension] = {c: Cell(None, Reason.WITHHELD, limit) for c in keys}
                continue
            hidden |= found
        out_breakdowns[breakdown.dimension] = {
            c: _cell(breakdown.counts[c], _reason(key, hidden, breakdown.counts[c], limit), limit, round_to)
            for c, key in keys.items()
        }
    return Release(
        total=_cell(total, Reason.SHOWN, limit, round_to),
        breakdowns=out_breakdowns,
        tables=out_tables,
        limit=limit,
        round_to=round_to,
        withheld_breakdowns=frozenset(withheld),
    )


def _reason(key: Key, hidden: set[Key], value: int, limit: int) -> Reason:
    if key not in hidden:
        return Reason.SHOWN
    return Reason.SMALL if is_small(value, limit) else Reason.SECONDARY


def _shown_table(
    table: CrossTable, net: _Circulation, hidden: set[Key], limit: int, round_to: int | None
) -> SuppressedTable:
    def cell(key: Key) -> Cell:
        return _cell(net.value[key], _reason(key, hidden, net.value[key], limit), limit, round_to)

    rows = dict.fromkeys(r for r, _ in table.counts)
    columns = dict.fromkeys(c for _, c in table.counts)
    return SuppressedTable(
        rows=table.rows,
        columns=table.columns,
        cells={(r, c): cell(("two", table.rows, r, table.columns, c)) for r, c in table.counts},
        row_totals={r: cell(("one", table.rows, r)) for r in rows},
        column_totals={c: cell(("one", table.columns, c)) for c in columns},
    )


def _withheld_table(table: CrossTable, limit: int) -> SuppressedTable:
    gone = Cell(None, Reason.WITHHELD, limit)
    return SuppressedTable(
        rows=table.rows,
        columns=table.columns,
        cells=dict.fromkeys(table.counts, gone),
        row_totals=dict.fromkeys(dict.fromkeys(r for r, _ in table.counts), gone),
        column_totals=dict.fromkeys(dict.fromkeys(c for _, c in table.counts), gone),
        withheld=True,
    )


def _withheld_release(
    total: int, breakdowns: Sequence[Breakdown], tables: Sequence[CrossTable], limit: int, round_to: int | None
) -> Release:
    gone = Cell(None, Reason.WITHHELD, limit)
    return Release(
        total=Cell(None, Reason.SMALL, limit),
        breakdowns={b.dimension: dict.fromkeys(b.counts, gone) for b in breakdowns},
        tables=[_withheld_table(t, limit) for t in tables],
        limit=limit,
        round_to=round_to,
        withheld_breakdowns=frozenset(b.dimension for b in breakdowns),
    )


def _check(total: int, breakdowns: Sequence[Breakdown], tables: Sequence[CrossTable]) -> None:
    """The release's structure is what makes the flow check exact: refuse anything else."""
    if total < 0:
        raise ValueError("a count cannot be negative")
    in_tables: dict[str, CrossTable] = {}
    for table in tables:
        if table.rows == table.columns:
            raise ValueError("a two-way table needs two different dimensions")
        for dimension in (table.rows, table.columns):
            if dimension in in_tables:
                raise ValueError(f"{dimension!r} is in two two-way tables: they would constrain each other")
            in_tables[dimension] = table
        if any(v < 0 for v in table.counts.values()) or sum(table.counts.values()) != total:
            raise ValueError(f"the table {table.rows} × {table.columns} does not count the release's people")
    seen: set[str] = set()
    for breakdown in breakdowns:
        if breakdown.dimension in seen:
            raise ValueError(f"two breakdowns by {breakdown.dimension!r}")
        seen.add(breakdown.dimension)
        if any(v < 0 for v in breakdown.counts.values()) or sum(breakdown.counts.values()) != total:
            raise ValueError(f"the breakdown by {breakdown.dimension} does not count the release's people")
        owner = in_tables.get(breakdown.dimension)
        if owner is not None:
            position = 0 if owner.rows == breakdown.dimension else 1
            margin: dict[str, int] = {}
            for pair, v in owner.counts.items():
                margin[pair[position]] = margin.get(pair[position], 0) + v
            if margin != dict(breakdown.counts):
                raise ValueError(f"the breakdown by {breakdown.dimension} is not the margin of its two-way table")


# --- Percentages, means and medians ---------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A percentage, mean or median as it may be shown (``value`` None when it may not)."""

    value: float | None
    reason: Reason = Reason.SHOWN
    limit: int = 5

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @property
    def explanation(self) -> str:
        return Cell(None, self.reason, self.limit).explanation if self.reason else ""


def share(numerator: int, denominator: int, *, limit: int | None = None) -> Figure:
    """``numerator`` as a percentage of ``denominator`` (one decimal place), or not shown: of
    fewer than ``limit`` people; a small numerator (the percentage would give the count away);
    0 % or 100 % of fewer than 10 (it says something about every one of them)."""
    limit = threshold() if limit is None else limit
    if denominator < 0 or not 0 <= numerator <= denominator:
        raise ValueError("a share needs 0 <= numerator <= denominator")
    if denominator < limit:
        return Figure(None, Reason.FEW, limit)
    if is_small(numerator, limit):
        return Figure(None, Reason.SMALL, limit)
    if numerator in (0, denominator) and denominator < ALL_OR_NONE_BELOW:
        return Figure(None, Reason.ALL_OR_NONE, limit)
    return Figure(round(100 * numerator / denominator, 1), Reason.SHOWN, limit)


def statistic(value: float | None, people: int, *, limit: int | None = None) -> Figure:
    """A mean or median over ``people``: not shown over fewer than ``limit`` of them."""
    limit = threshold() if limit is None else limit
    if people < limit or value is None:
        return Figure(None, Reason.FEW, limit)
    return Figure(round(float(value), 1), Reason.SHOWN, limit)


__all__ = ["Breakdown", "CrossTable", "Figure", "Release", "SuppressedTable", "share", "statistic", "suppress_release"]
