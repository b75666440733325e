"""Exports of a report: CSV, XLSX and PDF, each a plain function ``SuppressedReport → bytes``.

Everything exported is a ``reporting.report.SuppressedReport`` – for every audience, managers
included – so no export can carry a true small number (ADR 021): what is not in the report
cannot leak. The layout is built generically from each section's ``Indicator`` (title,
definition, caveat, labels), its ``Release`` (total, breakdowns, two-way tables, breakdowns
withheld) and its headline ``figures``: indicators added later need nothing here.

* **In the reader's language**: every function takes ``language`` and works inside
  ``translation.override`` (labels, organisation names, the suppression note, dates).
* **Same input, same bytes**: ``made_at`` is passed in, never read from the clock, and the XLSX
  archive's timestamps are set from it, so ``manage.py report`` and the download page give the
  same file for the same report (a test holds them to it).
* **Formula injection** (OWASP "CSV injection"): a text cell starting with ``= + - @``, a tab or
  a carriage return is prefixed with an apostrophe, in the CSV and in the XLSX – organisation
  names and category labels come from people, and a spreadsheet would run ``=HYPERLINK(…)``.
  Numbers are written as numbers. In the XLSX every text cell is stored explicitly as a string
  (openpyxl would otherwise store a value starting with ``=`` as a formula).
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle

from core.disclosure import MARK, Cell, Reason, note
from core.releases import Figure, Release
from reporting import labels
from reporting.filters import Filters
from reporting.report import SuppressedReport, SuppressedSection

#: Content types and file name endings of the formats.
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}

#: What a spreadsheet could take as the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Filters' fields and the dimension naming their value.
_FILTER_DIMENSIONS = {
    "service_id": "service",
    "region_id": "region",
    "local_authority_id": "local_authority",
    "age_band": "age_band",
    "legal_status": "legal_status",
    "language": "language",
    "gender": "gender",
    "ethnicity": "ethnicity",
}


def safe_text(text: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula (OWASP: prefix ``'``)."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


# --- Labels ----------------------------------------------------------------------------------


class _Namer:
    """Names dimensions and categories in the active language, by the same rules as the report
    pages (``reporting.labels``); organisation names are read in one query for the whole report."""

    def __init__(self, report: SuppressedReport) -> None:
        pairs: list[tuple[str, list[str]]] = [
            (dimension, list(counts))
            for section in report.sections
            if section.release is not None
            for dimension, counts in section.release.breakdowns.items()
        ]
        pairs += [
            pair for section in report.sections for pair in labels.figure_breakdowns(section.indicator, section.figures)
        ]
        for name, dimension in (
            ("service_id", "service"),
            ("region_id", "region"),
            ("local_authority_id", "local_authority"),
        ):
            value = getattr(report.filters, name)
            if value:
                pairs.append((dimension, [str(value)]))
        self.names = labels.row_names(pairs)

    def dimension(self, dimension: str) -> str:
        return labels.dimension_name(dimension)

    def category(self, section: SuppressedSection | None, dimension: str, category: str) -> str:
        return labels.category_label(
            section.indicator.code if section is not None else "",
            dimension,
            category,
            own=section.indicator.labels if section is not None else {},
            names=self.names,
        )

    def figure(self, section: SuppressedSection, code: str) -> str:
        return labels.figure_label(section.indicator, code, self.names)

    def filters(self, filters: Filters) -> list[tuple[str, str]]:
        """The report's filters as (what, value) pairs; "All of Wales" when there are none."""
        out = []
        for item in fields(filters):
            value = getattr(filters, item.name)
            if value:
                dimension = _FILTER_DIMENSIONS.get(item.name, item.name)
                out.append((self.dimension(dimension), self.category(None, dimension, str(value))))
        return out or [(_("Area"), _("All of Wales"))]


# --- The long table every format is built from ------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One figure of the report: what it is, its value (None when not shown) and why not."""

    indicator: str
    breakdown: str
    category: str
    value: int | float | None
    note: str

    @property
    def shown(self) -> int | float | str:
        return MARK if self.value is None else self.value


def _line(title: str, breakdown: str, category: str, cell: Cell | Figure) -> Line:
    return Line(title, breakdown, category, cell.value, cell.explanation)


def section_lines(section: SuppressedSection, namer: _Namer) -> Iterator[Line]:
    """A section's figures: the headline, the total, each breakdown, each two-way table."""
    title = str(section.indicator.title)
    headline = _("Headline figures")
    for code, figure in section.figures.items():
        yield _line(title, headline, namer.figure(section, code) if code else code, figure)
    release: Release | None = section.release
    if release is None:
        return
    yield _line(title, _("Total"), "", release.total)
    for dimension, counts in release.breakdowns.items():
        for category, cell in counts.items():
            yield _line(title, namer.dimension(dimension), namer.category(section, dimension, category), cell)
    for dimension in sorted(release.withheld_breakdowns):
        withheld = Cell(None, Reason.WITHHELD, release.limit)
        yield _line(title, namer.dimension(dimension), "", withheld)
    for table in release.tables:
        name = f"{namer.dimension(table.rows)} × {namer.dimension(table.columns)}"
        if table.withheld:
            yield _line(title, name, "", Cell(None, Reason.WITHHELD, release.limit))
            continue
        for (row, column), cell in table.cells.items():
            label = f"{namer.category(section, table.rows, row)} / {namer.category(section, table.columns, column)}"
            yield _line(title, name, label, cell)


def report_lines(report: SuppressedReport) -> list[Line]:
    namer = _Namer(report)
    return [line for section in report.sections for line in section_lines(section, namer)]


def title(report: SuppressedReport) -> str:
    return _("Nyth report, %(period)s") % {"period": period_label(report)}


def period_label(report: SuppressedReport) -> str:
    period = report.period
    return _("%(code)s (%(start)s to %(end)s)") % {
        "code": period.code,
        "start": formats.date_format(period.start, "j F Y"),
        "end": formats.date_format(period.end, "j F Y"),
    }


def _made(made_at: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(made_at), "j F Y, H:i")


def _cover(report: SuppressedReport, namer: _Namer, made_at: datetime.datetime) -> list[tuple[str, str]]:
    rows = [(_("Report"), title(report)), (_("Period"), period_label(report))]
    rows += namer.filters(report.filters)
    rows.append((_("Made at"), _made(made_at)))
    if report.round_to:
        rows.append((_("Rounding"), _("Numbers shown are rounded to the nearest %(n)s.") % {"n": report.round_to}))
    rows.append((_("Small numbers"), note(report.limit)))
    return rows


def _definitions(report: SuppressedReport) -> Iterator[list[str]]:
    for section in report.sections:
        i = section.indicator
        yield [
            str(i.title),
            str(i.numerator),
            str(i.denominator),
            str(i.period_rule),
            str(i.caveat) if i.caveat else "",
        ]


def _definition_headers() -> list[str]:
    return [_("Indicator"), _("Definition"), _("Denominator"), _("Period rule"), _("Caveat")]


# --- CSV --------------------------------------------------------------------------------------


def to_csv(report: SuppressedReport, *, language: str, made_at: datetime.datetime) -> bytes:
    """One long table (indicator, breakdown, category, value, note), UTF-8 with a byte-order
    mark (Excel then reads Welsh letters correctly), then the cover lines and the note."""
    with translation.override(language):
        namer = _Namer(report)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([_("Indicator"), _("Breakdown"), _("Category"), _("Value"), _("Note")])
        for section in report.sections:
            for line in section_lines(section, namer):
                writer.writerow(
                    [safe_text(line.indicator), safe_text(line.breakdown), safe_text(line.category), line.shown,
                     safe_text(line.note)]
                )  # fmt: skip
        for label, value in _cover(report, namer, made_at):
            writer.writerow(["", safe_text(label), "", "", safe_text(value)])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------


def _sheet_name(text: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``, unique in the workbook."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in text).strip("' ") or "Sheet"
    name, n = cleaned[:31], 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _put(sheet: object, row: int, column: int, value: object) -> None:
    """A cell: numbers as numbers, anything else as an explicit string, neutralised."""
    cell = sheet.cell(row=row, column=column)  # type: ignore[attr-defined]
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
    else:
        cell.value = safe_text("" if value is None else str(value))
        cell.data_type = "s"


def _rows(sheet: object, start: int, rows: Iterable[Iterable[object]], bold_first: bool = False) -> int:
    from openpyxl.styles import Font

    r = start
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            _put(sheet, r, c, value)
            if bold_first and r == start:
                sheet.cell(row=r, column=c).font = Font(bold=True)  # type: ignore[attr-defined]
    return r + 1


def to_xlsx(report: SuppressedReport, *, language: str, made_at: datetime.datetime) -> bytes:
    """A workbook: "About" (period, filters, made at, the suppression note), "Definitions",
    then one sheet per indicator (its figures as the long table, with the note under it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(language):
        namer = _Namer(report)
        book = Workbook()
        taken: set[str] = set()
        about: Any = book.active  # a new workbook's one sheet
        about.title = _sheet_name(_("About"), taken)
        _put(about, 1, 1, title(report))
        about.cell(row=1, column=1).font = Font(bold=True, size=14)
        _rows(about, 3, _cover(report, namer, made_at))
        about.column_dimensions["A"].width = 22
        about.column_dimensions["B"].width = 100

        definitions = book.create_sheet(_sheet_name(_("Definitions"), taken))
        _rows(definitions, 1, [_definition_headers(), *_definitions(report)], bold_first=True)
        for column, width in zip("ABCDE", (30, 60, 40, 40, 40), strict=True):
            definitions.column_dimensions[column].width = width

        headers = [_("Breakdown"), _("Category"), _("Value"), _("Note")]
        for section in report.sections:
            sheet = book.create_sheet(_sheet_name(str(section.indicator.title), taken))
            _put(sheet, 1, 1, str(section.indicator.title))
            sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
            lines = [[line.breakdown, line.category, line.shown, line.note] for line in section_lines(section, namer)]
            after = _rows(sheet, 3, [headers, *lines], bold_first=True)
            _put(sheet, after + 1, 1, note(report.limit))
            if section.indicator.caveat:
                _put(sheet, after + 2, 1, str(section.indicator.caveat))
            for column, width in zip("ABCD", (28, 40, 12, 70), strict=True):
                sheet.column_dimensions[column].width = width

        stamp = timezone.make_naive(made_at, datetime.UTC) if timezone.is_aware(made_at) else made_at
        book.properties.creator = "Nyth"
        book.properties.title = title(report)
        book.properties.language = language
        book.properties.created = stamp
        buffer = io.BytesIO()
        book.save(buffer)
    return _fixed_zip_times(buffer.getvalue(), stamp)


def _fixed_zip_times(data: bytes, stamp: datetime.datetime) -> bytes:
    """The workbook with every member dated ``stamp`` (openpyxl dates them, and the properties'
    "modified", from the clock), so the same report made at the same time is the same bytes."""
    modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                start = content.find(b'<dcterms:modified xsi:type="dcterms:W3CDTF">')
                if start != -1:
                    begin = start + len(b'<dcterms:modified xsi:type="dcterms:W3CDTF">')
                    end = content.find(b"</dcterms:modified>", begin)
                    content = content[:begin] + modified + content[end:]
            info = zipfile.ZipInfo(item.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


# --- PDF: the quarterly return ----------------------------------------------------------------


def to_pdf(report: SuppressedReport, *, language: str, made_at: datetime.datetime) -> bytes:
    """The return as a PDF in the house style (``core.pdf``): a cover (period, area, made at,
    the suppression note), the definitions, then each indicator's tables with a bar chart of
    each breakdown (shown numbers only: a [c] has no bar)."""
    from core.pdf import build, register_fonts

    register_fonts()
    with translation.override(language):
        story = _pdf_story(report, _Namer(report), made_at)
        content, _pages = build(
            story,
            title=title(report),
            subject=_("Figures with small numbers suppressed"),
            header_lines=["Nyth", title(report)],
            footer=note(report.limit),
            page_format=_("Page %(page)s of %(total)s"),
        )
    return content


def _pdf_story(report: SuppressedReport, namer: _Namer, made_at: datetime.datetime) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

    from core.pdf import RULE, TEXT_WIDTH, facts_table, plain, styles

    style = styles()
    cell = ParagraphStyle("cell", parent=style["value"], fontSize=8.5, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName=style["label"].fontName)
    story: list[Any] = [
        Paragraph(plain(title(report)), style["title"]),
        Paragraph(plain(_("Figures with small numbers suppressed")), style["subtitle"]),
        facts_table(_cover(report, namer, made_at), style),
        PageBreak(),
        Paragraph(plain(_("Definitions")), style["h2"]),
    ]
    for row in _definitions(report):
        story.append(Paragraph(plain(row[0]), style["label"]))
        pairs = zip(_definition_headers()[1:], row[1:], strict=True)
        story.append(facts_table([(k, v) for k, v in pairs if v], style, label_width=35 * mm))
        story.append(Spacer(1, 4 * mm))
    for section in report.sections:
        story.append(PageBreak())
        story.append(Paragraph(plain(section.indicator.title), style["h2"]))
        if section.indicator.caveat:
            story.append(Paragraph(plain(section.indicator.caveat), style["meta"]))
        grouped: dict[str, list[Line]] = {}
        for line in section_lines(section, namer):
            grouped.setdefault(line.breakdown, []).append(line)
        for breakdown, lines in grouped.items():
            story.append(Paragraph(plain(breakdown), style["label"]))
            data = [[Paragraph(plain(h), head) for h in (_("Category"), _("Value"), _("Note"))]]
            data += [
                [
                    Paragraph(plain(line.category), cell),
                    Paragraph(plain(line.shown), cell),
                    Paragraph(plain(line.note), cell),
                ]
                for line in lines
            ]
            table = Table(
                data, colWidths=[0.4 * TEXT_WIDTH, 0.15 * TEXT_WIDTH, 0.45 * TEXT_WIDTH], hAlign="LEFT", repeatRows=1
            )
            table.setStyle(
                TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
            )
            story.append(table)
            chart = _bar_chart(lines) if breakdown not in (_("Headline figures"), _("Total")) else None
            if chart is not None:
                story.append(Spacer(1, 2 * mm))
                story.append(chart)
            story.append(Spacer(1, 5 * mm))
    return story


def _bar_chart(lines: list[Line]) -> Any:
    """Horizontal vector bars for a breakdown's shown numbers (None for fewer than two)."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    from core.pdf import FONT, TEXT_WIDTH

    bar_style: Any = {"fillColor": colors.HexColor("#1d70b8"), "strokeWidth": 0}  # GOV.UK blue

    shown = [line for line in lines if line.category and line.value is not None]
    if len(shown) < 2:
        return None
    biggest = max(float(line.value or 0) for line in shown) or 1.0
    bar, gap, label_width = 9.0, 4.0, 0.35 * TEXT_WIDTH
    height = len(lines) * (bar + gap)
    drawing = Drawing(TEXT_WIDTH, height)
    for i, line in enumerate(lines):
        y = height - (i + 1) * (bar + gap)
        drawing.add(String(0, y + 2, line.category[:45], fontName=FONT, fontSize=7))
        if line.value is None:
            drawing.add(String(label_width, y + 2, MARK, fontName=FONT, fontSize=7))
            continue
        width = (TEXT_WIDTH - label_width - 40) * float(line.value) / biggest
        drawing.add(Rect(label_width, y, width, bar, **bar_style))
        drawing.add(String(label_width + width + 3, y + 2, str(line.value), fontName=FONT, fontSize=7))
    return drawing


def render(report: SuppressedReport, fmt: str, *, language: str, made_at: datetime.datetime) -> bytes:
    """The report in ``fmt`` (one of ``FORMATS``)."""
    makers = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}
    if fmt not in makers:
        raise ValueError(f"not an export format: {fmt!r}")
    return makers[fmt](report, language=language, made_at=made_at)


def filename(report: SuppressedReport, fmt: str) -> str:
    """``nyth-2026Q3.xlsx`` (the area is not in the name: names in a file name travel far)."""
    return f"nyth-{report.period.code}.{FORMATS[fmt][1]}"
