"""The house style of Nyth's PDFs (ReportLab): fonts, text styles, the running header and footer,
"Page X of Y", and a two-column facts table. Shared by the assessment copy (``assessments.pdf``)
and the outcomes summary (``outcomes.pdf``); each of those decides what goes in – this module
decides nothing about access or content.

* The font is DejaVu Sans (npm package ``dejavu-fonts-ttf``, installed by ``make install``): the
  PDF base fonts lack Welsh letters such as ŵ and ŷ.
* User text is XML-escaped (``plain``) before it reaches a ReportLab paragraph, which reads a
  mark-up.
* No project app is imported here (``core`` is the bottom layer): callers pass text, not models.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
#: Where ``npm ci`` puts the font files (package.json: dejavu-fonts-ttf).
FONT_DIR = Path(settings.BASE_DIR) / "node_modules" / "dejavu-fonts-ttf" / "ttf"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
HEADER_SPACE = 18 * mm
FOOTER_SPACE = 16 * mm
#: The width between the margins.
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")


class FontMissingError(ImproperlyConfigured):
    """The DejaVu font files are not installed: the PDF cannot show Welsh letters without them."""


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with ReportLab, once per process."""
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT in registered and FONT_BOLD in registered:
        return
    for name, filename in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = FONT_DIR / filename
        if not path.is_file():
            raise FontMissingError(
                f"The font for PDF exports is missing: {path}. Run `make install` (npm ci installs the "
                "dejavu-fonts-ttf package from package.json)."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=10.5, leading=14.5, textColor=INK, alignment=TA_LEFT, spaceAfter=6
    )
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=22, leading=27, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=15, leading=20, spaceAfter=14, textColor=GREY),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=14.5, leading=19, spaceBefore=12, spaceAfter=4
        ),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=12.5, textColor=GREY, spaceAfter=8),
        "label": ParagraphStyle("label", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13.5, spaceAfter=0),
        "value": ParagraphStyle("value", parent=base, fontSize=10, leading=13.5, spaceAfter=0),
        "header": ParagraphStyle("header", parent=base, fontSize=8, leading=10.5, textColor=GREY, spaceAfter=0),
    }


def plain(text: object) -> str:
    """Any text (typed by a user, or a translation) made safe for a ReportLab paragraph."""
    return escape(str(text))


def paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    """Text as paragraphs: blank lines start a new paragraph, single line breaks are kept. Each
    paragraph can split across pages, so long text flows on."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    blocks = [block.strip("\n") for block in normalised.split("\n\n")]
    return [Paragraph(plain(block).replace("\n", "<br/>"), style) for block in blocks if block.strip()]


def local_date(value: Any) -> str:
    """A date (or a moment, in local time) as "4 December 2026", in the active language."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "j F Y")


def numbered_canvas(page_label: Callable[[int, int], str]) -> type[pdfcanvas.Canvas]:
    """A canvas that holds every page until the end, so each can say "Page X of Y"."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # DejaVu from the start: no unembedded base font in the file.
            kwargs.setdefault("initialFontName", FONT)
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # ReportLab's own, not in its stubs

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(GREY)
                self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8 * mm, page_label(self.getPageNumber(), total))
                super().showPage()
            super().save()

    return NumberedCanvas


def header_and_footer(
    header_lines: Sequence[str], footer: str, style: ParagraphStyle
) -> Callable[[pdfcanvas.Canvas, SimpleDocTemplate], None]:
    """The running header (``header_lines``, above a rule) and footer (``footer``, below one)
    drawn on every page, so a single page found on its own still says what it is."""

    def on_page(canvas: pdfcanvas.Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        header = Paragraph("<br/>".join(plain(line) for line in header_lines), style)
        _w, height = header.wrap(TEXT_WIDTH, HEADER_SPACE)
        header.drawOn(canvas, MARGIN, PAGE_HEIGHT - MARGIN + 4 * mm - height)
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.5)
        canvas.line(
            MARGIN, PAGE_HEIGHT - MARGIN - height + 2 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN - height + 2 * mm
        )
        paragraph = Paragraph(plain(footer), style)
        _w, fheight = paragraph.wrap(TEXT_WIDTH - 35 * mm, FOOTER_SPACE)
        paragraph.drawOn(canvas, MARGIN, MARGIN - 8 * mm)
        canvas.line(
            MARGIN, MARGIN - 8 * mm + fheight + 1.5 * mm, PAGE_WIDTH - MARGIN, MARGIN - 8 * mm + fheight + 1.5 * mm
        )
        canvas.restoreState()

    return on_page


def build(
    story: list[Any],
    *,
    title: str,
    subject: str,
    header_lines: Sequence[str],
    footer: str,
    page_format: str,
) -> tuple[bytes, int]:
    """Lay ``story`` out on A4 pages in the house style and return the PDF and its number of
    pages. ``page_format`` is the translated "Page %(page)s of %(total)s"."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_SPACE - 6 * mm,
        bottomMargin=MARGIN + FOOTER_SPACE - 8 * mm,
        title=title,
        author="Nyth",
        subject=subject,
        lang=translation.get_language(),
    )
    pages: list[int] = []

    def page_label(page: int, total: int) -> str:
        pages.append(total)
        return page_format % {"page": page, "total": total}

    on_page = header_and_footer(header_lines, footer, styles()["header"])
    document.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=numbered_canvas(page_label))
    return buffer.getvalue(), (pages[0] if pages else 0)


def facts_table(
    rows: Iterable[tuple[str, str]], style: dict[str, ParagraphStyle], *, label_width: float = 50 * mm
) -> Table:
    """Label and value, one pair a row, with a light rule under each."""
    data = [[Paragraph(plain(label), style["label"]), Paragraph(plain(value), style["value"])] for label, value in rows]
    table = Table(data, colWidths=[label_width, TEXT_WIDTH - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
