"""The one-page outcomes summary for a review meeting (PDF, A4), in the reader's language.

The view (``outcomes.views.child_outcomes_pdf``) has already reached the young person through the
one scope and gathered the episode's summary (``outcomes.summary``); this module lays it out and
decides nothing about access. The house style (DejaVu Sans for Welsh letters, header, footer,
"Page X of Y", escaping of user text) is ``core.pdf``, shared with the assessment copy.

**One page, never silently cut.** A review meeting wants one sheet. When everything does not fit
(many measures, long citations, many points not done), rows are left off from the end – the
points not done first, then the guidance questions, the goals, the measures – and the page says
so: "continued on the outcomes page". The number of rows kept is the largest that still lays out
on one page (found by halving: a few layouts of one page each, milliseconds).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from accounts.names import organisation_name
from core.pdf import GREY, RULE, TEXT_WIDTH, build, facts_table, local_date, plain, register_fonts
from core.pdf import styles as pdf_styles
from outcomes.models import NotDoneReason, PointKind, ReliableChangeMethod, Scale, ScoringMethod

if TYPE_CHECKING:
    from accounts.models import User
    from episodes.models import Episode
    from outcomes.models import Instrument, MeasurementPoint
    from outcomes.summary import MeasureRow, Summary
    from people.models import Child


@dataclass
class Rendered:
    content: bytes
    pages: int
    #: Rows left off to keep to one page (0: everything is on the page).
    left_off: int


@dataclass
class _Part:
    """A table on the page: its heading, header row, rows and column widths (fractions)."""

    heading: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    widths: Sequence[float] = ()
    #: Table style commands for each row, by row index within ``rows`` (a spanned source row).
    row_styles: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)
    #: Text under the table (the GBO mean), shown only when the part is shown.
    after: str = ""
    #: Row groups: a measure and its source row are kept or left off together.
    groups: list[int] = field(default_factory=list)


def render_outcomes_summary_pdf(
    *,
    child: Child,
    episode: Episode | None,
    ended_on: datetime.date | None,
    summary: Summary | None,
    not_done: list[MeasurementPoint],
    made_by: User,
    made_at: datetime.datetime,
    language: str,
) -> Rendered:
    """The summary of ``episode`` (``summary`` from ``outcomes.summary.summarise``) and its points
    marked not done, on one A4 page in ``language``."""
    register_fonts()
    with translation.override(language):
        return _build(
            child=child, episode=episode, ended_on=ended_on, summary=summary, not_done=not_done,
            made_by=made_by, made_at=made_at,
        )  # fmt: skip


def _styles() -> dict[str, ParagraphStyle]:
    """The house styles, tighter: a review meeting's one sheet."""
    styles = pdf_styles()
    small = ParagraphStyle("cell", parent=styles["value"], fontSize=8, leading=10)
    return {
        **styles,
        "title": ParagraphStyle("title1", parent=styles["title"], fontSize=16, leading=20, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle1", parent=styles["subtitle"], fontSize=12, leading=15, spaceAfter=6),
        "h2": ParagraphStyle("h2s", parent=styles["h2"], fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=2),
        "body": ParagraphStyle("body1", parent=styles["body"], fontSize=8.5, leading=11, spaceAfter=3),
        "label": ParagraphStyle("label1", parent=styles["label"], fontSize=8.5, leading=11),
        "value": ParagraphStyle("value1", parent=styles["value"], fontSize=8.5, leading=11),
        "cell": small,
        "head": ParagraphStyle("head", parent=small, fontName=styles["label"].fontName),
        "source": ParagraphStyle("source", parent=small, fontSize=7, leading=8.5, textColor=GREY),
        "notice": ParagraphStyle(
            "notice", parent=styles["body"], fontName=styles["label"].fontName, fontSize=9, leading=12, spaceBefore=6
        ),
    }


def _number(value: Decimal | int | None) -> str:
    """As the outcomes page shows it: 22.35, 18, 4.9 – never 18.00."""
    return "–" if value is None else str(floatformat(value, "-2"))


def _signed(value: Decimal | int | None) -> str:
    text = _number(value)
    return f"+{text}" if value is not None and value > 0 else text


def _category(category: str | None, no_category: str = "") -> str:
    labels = {
        "reliable_recovery": _("Reliable recovery"),
        "reliable_improvement": _("Reliable improvement"),
        "reliable_deterioration": _("Reliable deterioration"),
        "no_reliable_change": _("No reliable change"),
        "mixed": _("Mixed: reliable improvement and deterioration"),
    }
    if category:
        return labels.get(str(category), str(category))
    if no_category == "unpaired":
        return _("Only one result: no change yet")
    if no_category == "not_configured":
        return _("Reliable change not configured for this measure")
    return "–"


def _published(value: Decimal | None) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def parameters_source(instrument: Instrument) -> str:
    """The reliable-change parameters of a measure with their scale, population and source –
    the same words as the instruments page."""
    scale = str(Scale(instrument.rc_scale).label).lower() if instrument.rc_scale else ""
    rule = instrument.change_rule()
    parts: list[str] = []
    if instrument.rc_method == ReliableChangeMethod.SD_RELIABILITY and rule is not None:
        parts.append(
            _("SD %(sd)s, reliability %(r)s (%(scale)s): a change of more than %(threshold)s points is reliable.")
            % {
                "sd": _published(instrument.rc_sd),
                "r": _published(instrument.rc_reliability),
                "scale": scale,
                "threshold": floatformat(rule.threshold, 2),
            }
        )
    elif instrument.rc_method == ReliableChangeMethod.FIXED and rule is not None:
        parts.append(
            _("A change of more than %(threshold)s points (%(scale)s) is reliable. Applies to: %(applies)s.")
            % {
                "threshold": _published(instrument.rc_threshold),
                "scale": scale,
                "applies": str(instrument.get_rc_applies_to_display()).lower(),
            }
        )
    else:
        return _("Reliable change not configured for this measure")
    if instrument.rc_population:
        parts.append(_("Population: %(population)s") % {"population": instrument.rc_population})
    if instrument.rc_citation:
        parts.append(_("Source: %(citation)s") % {"citation": instrument.rc_citation})
    return " ".join(parts)


def _dated(value: Decimal | str | None, on: datetime.date | None) -> str:
    if value is None or value == "":
        return "–"
    text = _number(value) if isinstance(value, Decimal) else str(value)
    return f"{text}<br/>{plain(local_date(on))}" if on else text


def _person(user: User) -> str:
    parts = [user.get_full_name() or user.get_username()]
    if user.profession:
        parts.append(str(user.get_profession_display()))
    elif user.job_title:
        parts.append(user.job_title)
    if user.organisation_id:
        parts.append(organisation_name(user.organisation))
    return ", ".join(parts)


def _support(episode: Episode, ended_on: datetime.date | None) -> str:
    if ended_on is not None:
        return _("From %(start)s to %(end)s") % {"start": local_date(episode.opened_on), "end": local_date(ended_on)}
    return _("Since %(start)s (%(status)s)") % {
        "start": local_date(episode.opened_on),
        "status": str(episode.get_status_display()).lower(),
    }


def _measure_part(rows: list[MeasureRow], styles: dict[str, ParagraphStyle]) -> _Part:
    part = _Part(
        heading=_("Per measure"),
        header=[_("Measure"), _("First"), _("Latest"), _("Change"), _("Category (this measure)"), _("Results")],
        widths=(0.27, 0.13, 0.13, 0.09, 0.24, 0.14),
    )
    for row in rows:
        cell = styles["cell"]
        paired = _("paired") if row.count >= 2 else _("unpaired")
        part.rows.append(
            [
                Paragraph(plain(row.instrument.name), styles["head"]),
                Paragraph(_dated(row.first, row.first_on), cell),
                Paragraph(_dated(row.latest, row.latest_on), cell),
                Paragraph(plain(_signed(row.change)), cell),
                Paragraph(plain(_category(row.category, row.no_category)), cell),
                Paragraph(plain(f"{row.count} ({paired})"), cell),
            ]
        )
        index = len(part.rows)
        part.rows.append([Paragraph(plain(parameters_source(row.instrument)), styles["source"]), "", "", "", "", ""])
        part.row_styles[index] = [("SPAN", (0, 0), (-1, 0)), ("TOPPADDING", (0, 0), (-1, 0), 0)]
        part.groups.append(2)
    return part


def _goal_part(summary: Summary, styles: dict[str, ParagraphStyle]) -> _Part:
    part = _Part(
        heading=_("Goal Based Outcomes"),
        header=[_("Goal (in the young person's words)"), _("First"), _("Latest"), _("Change")],
        widths=(0.61, 0.13, 0.13, 0.13),
    )
    for goal in summary.goals:
        cell = styles["cell"]
        part.rows.append(
            [
                Paragraph(plain(goal.text), cell),
                Paragraph(plain(_number(goal.first)), cell),
                Paragraph(plain(_number(goal.latest)), cell),
                Paragraph(plain(_signed(goal.change)), cell),
            ]
        )
        part.groups.append(1)
    if summary.gbo_mean is not None:
        part.after = "{} {}".format(
            _("Mean change over goals with a first and a latest rating: %(mean)s.")
            % {"mean": floatformat(summary.gbo_mean, "-2")},
            _category(summary.gbo_category),
        )
    else:
        part.after = _("No goal has a first and a latest rating yet.")
    return part


def _question_part(rows: list[MeasureRow], styles: dict[str, ParagraphStyle]) -> _Part:
    part = _Part(
        heading=_("The guidance's questions"),
        header=[_("Question"), _("First"), _("Latest")],
        widths=(0.6, 0.2, 0.2),
    )
    for row in rows:
        cell = styles["cell"]
        part.rows.append(
            [
                Paragraph(plain(row.instrument.name), cell),
                Paragraph(_dated(row.first, row.first_on), cell),
                Paragraph(_dated(row.latest, row.latest_on), cell),
            ]
        )
        part.groups.append(1)
    return part


def _not_done_part(points: list[MeasurementPoint], styles: dict[str, ParagraphStyle]) -> _Part:
    part = _Part(
        heading=_("Measurement points not done"),
        header=[_("Measurement point"), _("Date"), _("Reason")],
        widths=(0.3, 0.25, 0.45),
    )
    kinds, reasons = dict(PointKind.choices), dict(NotDoneReason.choices)
    for point in points:
        cell = styles["cell"]
        part.rows.append(
            [
                Paragraph(plain(kinds.get(point.kind, point.kind)), cell),
                Paragraph(plain(local_date(point.taken_on or point.due_on)), cell),
                Paragraph(plain(reasons.get(point.not_done_reason, point.not_done_reason)), cell),
            ]
        )
        part.groups.append(1)
    return part


def _table(part: _Part, rows: list[list[Any]], styles: dict[str, ParagraphStyle]) -> Table:
    header = [Paragraph(plain(text), styles["head"]) for text in part.header]
    table = Table([header, *rows], colWidths=[w * TEXT_WIDTH for w in part.widths], hAlign="LEFT", repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]
    grouped = bool(part.row_styles)
    for index in range(len(rows)):
        line = index + 1  # after the header row
        for command in part.row_styles.get(index, []):
            name, start, end, *rest = command
            commands.append((name, (start[0], line), (end[0], line), *rest))
        if not grouped or index in part.row_styles:
            commands.append(("LINEBELOW", (0, line), (-1, line), 0.5, RULE))
    table.setStyle(TableStyle(commands))
    return table


def _build(
    *,
    child: Child,
    episode: Episode | None,
    ended_on: datetime.date | None,
    summary: Summary | None,
    not_done: list[MeasurementPoint],
    made_by: User,
    made_at: datetime.datetime,
) -> Rendered:
    styles = _styles()
    title = _("Outcomes summary for a review meeting")
    printed = formats.date_format(timezone.localtime(made_at), "j F Y, H:i")
    printed_line = _("Printed by %(who)s on %(when)s.") % {"who": _person(made_by), "when": printed}
    header_lines = [f"{child.display_name}. {title}.", printed_line]
    confidential = _(
        "Confidential. Personal information about a young person, for their review meeting only. "
        "Do not copy or pass on; destroy it securely after the meeting."
    )
    page_format = _("Page %(page)s of %(total)s")

    top: list[Any] = [
        Paragraph(plain(title), styles["title"]),
        Paragraph(plain(child.display_name), styles["subtitle"]),
    ]
    facts = [(_("Name"), child.display_name), (_("Date of birth"), local_date(child.date_of_birth))]
    if child.service_id:
        facts.append((_("Service"), organisation_name(child.service)))
    if episode is not None:
        facts.append((_("Support"), _support(episode, ended_on)))
    facts.append((_("Printed by"), f"{_person(made_by)}, {printed}"))
    top.append(facts_table(facts, styles, label_width=32 * mm))
    top.append(Spacer(1, 2 * mm))

    parts: list[_Part] = []
    if summary is None:
        top.append(Paragraph(plain(_("No support has started, so there are no outcomes yet.")), styles["body"]))
    else:
        top.append(
            Paragraph(
                plain(
                    _("Only measures completed at measurement points count for change.")
                    + " "
                    + _("CORC category (across measures: reliable improvement on at least one measure and reliable deterioration on none):")
                    + " "
                    + (_category(summary.corc) if summary.corc else _("No measure has two results yet."))
                ),
                styles["body"],
            )
        )  # fmt: skip
        top.append(
            Paragraph(
                plain(
                    ngettext(
                        "%(counter)s measure with a first and a latest result; %(unpaired)s with only one.",
                        "%(counter)s measures with a first and a latest result; %(unpaired)s with only one.",
                        summary.paired,
                    )
                    % {"counter": summary.paired, "unpaired": summary.unpaired}
                ),
                styles["body"],
            )
        )
        questions = [r for r in summary.rows if r.instrument.scoring == ScoringMethod.QUESTION]
        measures = [r for r in summary.rows if r.instrument.scoring != ScoringMethod.QUESTION]
        parts.append(_measure_part(measures, styles))
        if summary.goals:
            parts.append(_goal_part(summary, styles))
        if questions:
            parts.append(_question_part(questions, styles))
    if not_done:
        parts.append(_not_done_part(not_done, styles))

    total = sum(len(part.groups) for part in parts)

    def story(keep: int) -> list[Any]:
        out = list(top)
        left = keep
        for part in parts:
            if not part.groups:
                if part is parts[0]:  # the measures table, empty: say so
                    out.append(Paragraph(plain(part.heading), styles["h2"]))
                    out.append(Paragraph(plain(_("No measures recorded yet.")), styles["body"]))
                continue
            groups = part.groups[: max(left, 0)]
            left -= len(groups)
            if not groups:
                continue
            rows = part.rows[: sum(groups)]
            out.append(Paragraph(plain(part.heading), styles["h2"]))
            out.append(_table(part, rows, styles))
            if part.after and len(groups) == len(part.groups):
                out.append(Paragraph(plain(part.after), styles["body"]))
        if keep < total:
            out.append(
                Paragraph(
                    plain(
                        ngettext(
                            "%(count)s more row does not fit on this page: continued on the outcomes page in Nyth.",
                            "%(count)s more rows do not fit on this page: continued on the outcomes page in Nyth.",
                            total - keep,
                        )
                        % {"count": total - keep}
                    ),
                    styles["notice"],
                )
            )
        return out

    def lay_out(keep: int) -> tuple[bytes, int]:
        return build(
            story(keep),
            title=f"{title}: {child.display_name}",
            subject=title,
            header_lines=header_lines,
            footer=confidential,
            page_format=page_format,
        )

    content, pages = lay_out(total)
    if pages <= 1:
        return Rendered(content=content, pages=pages, left_off=0)
    keep = _largest(lambda n: lay_out(n)[1] <= 1, total - 1)
    content, pages = lay_out(keep)
    return Rendered(content=content, pages=pages, left_off=total - keep)


def _largest(fits: Callable[[int], bool], high: int) -> int:
    """The largest n in 0..high for which ``fits(n)`` (which holds for every smaller n), else 0."""
    low = 0
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
