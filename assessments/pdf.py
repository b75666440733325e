"""The PDF copy of a child's holistic assessment, for a court or another service (ReportLab).

Only ``assessments.sharing.export_pdf`` calls this: it has already decided (through consent and
``assessments.access``) which section versions may leave Nyth and why the others may not. This
module lays them out – it decides nothing about access.

* The fixed text (headings, labels, the section titles) is in the language the recipient chose:
  everything is built inside ``translation.override(language)``.
* Every page carries the recipient, the date, the purpose and the reference in its header, and a
  confidentiality line with "Page X of Y" in its footer, so a single page found on its own still
  says where it came from and where it was meant to go.
* Withheld sections are listed with the reason, never their content; never-written ones say
  "Not written yet"; restricted sections are only counted, as "withheld", without saying why.
* User text is XML-escaped before it reaches a ReportLab paragraph (which reads a mark-up).
* The font is DejaVu Sans (npm package ``dejavu-fonts-ttf``, installed by ``make install``): the
  PDF base fonts lack Welsh letters such as ŵ and ŷ.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.names import organisation_name
from assessments.models import WithheldReason
from assessments.sections import BY_KEY, SECTIONS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Organisation, User
    from assessments.models import SectionVersion
    from consent.models import ConsentDecision
    from people.models import Child

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
#: Where ``npm ci`` puts the font files (package.json: dejavu-fonts-ttf).
FONT_DIR = Path(settings.BASE_DIR) / "node_modules" / "dejavu-fonts-ttf" / "ttf"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
HEADER_SPACE = 18 * mm
FOOTER_SPACE = 16 * mm
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")


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


def _styles() -> dict[str, ParagraphStyle]:
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


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    """A section's text as paragraphs: blank lines start a new paragraph, single line breaks are
    kept. Each paragraph can split across pages, so long text flows on."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    blocks = [block.strip("\n") for block in normalised.split("\n\n")]
    return [Paragraph(plain(block).replace("\n", "<br/>"), style) for block in blocks if block.strip()]


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "j F Y")


def _numbered_canvas(page_label: Callable[[int, int], str]) -> type[pdfcanvas.Canvas]:
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


def render_assessment_pdf(
    *,
    child: Child,
    organisation: Organisation,
    purpose_label: StrOrPromise,
    reference: str,
    consent: ConsentDecision,
    versions: dict[str, SectionVersion],
    withheld: dict[str, str],
    made_by: User,
    made_at: datetime,
    language: str,
) -> bytes:
    """The PDF (A4) of the given section versions. ``versions`` must already exclude everything
    not allowed to leave; ``withheld`` is section key → ``WithheldReason`` for the others.
    ``purpose_label`` may be a lazy translation: it is read in the PDF's language."""
    register_fonts()
    with translation.override(language):
        return _build(
            child=child,
            organisation=organisation,
            purpose_label=str(purpose_label),
            reference=reference,
            consent=consent,
            versions=versions,
            withheld=withheld,
            made_by=made_by,
            made_at=made_at,
        )


def _build(
    *,
    child: Child,
    organisation: Organisation,
    purpose_label: str,
    reference: str,
    consent: ConsentDecision,
    versions: dict[str, SectionVersion],
    withheld: dict[str, str],
    made_by: User,
    made_at: datetime,
) -> bytes:
    styles = _styles()
    recipient = organisation_name(organisation)  # in the copy's language (inside its override)
    today = _date(made_at)
    title = _("Holistic assessment")

    header_lines = [
        _("For: %(recipient)s. Purpose: %(purpose)s.") % {"recipient": recipient, "purpose": purpose_label},
        _("Date: %(date)s. Reference: %(reference)s.") % {"date": today, "reference": reference},
    ]
    confidentiality = _(
        "Confidential. Shared with the young person's consent, for this purpose and this recipient only. Do not copy or pass on."
    )
    page_format = _("Page %(page)s of %(total)s")

    def on_page(canvas: pdfcanvas.Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        header = Paragraph("<br/>".join(plain(line) for line in header_lines), styles["header"])
        width = PAGE_WIDTH - 2 * MARGIN
        _w, height = header.wrap(width, HEADER_SPACE)
        header.drawOn(canvas, MARGIN, PAGE_HEIGHT - MARGIN + 4 * mm - height)
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.5)
        canvas.line(
            MARGIN, PAGE_HEIGHT - MARGIN - height + 2 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN - height + 2 * mm
        )
        footer = Paragraph(plain(confidentiality), styles["header"])
        _w, fheight = footer.wrap(width - 35 * mm, FOOTER_SPACE)
        footer.drawOn(canvas, MARGIN, MARGIN - 8 * mm)
        canvas.line(
            MARGIN, MARGIN - 8 * mm + fheight + 1.5 * mm, PAGE_WIDTH - MARGIN, MARGIN - 8 * mm + fheight + 1.5 * mm
        )
        canvas.restoreState()

    story: list[Any] = [
        Paragraph(plain(title), styles["title"]),
        Paragraph(plain(child.display_name), styles["subtitle"]),
    ]

    decider = str(consent.get_decider_display())
    if consent.decider_name:
        decider = f"{decider}: {consent.decider_name}"
    facts: list[tuple[str, str]] = [
        (_("Name"), child.display_name),
        (_("Date of birth"), _date(child.date_of_birth)),
    ]
    if child.nhs_number:
        facts.append((_("NHS number"), child.nhs_number_display))
    facts += [
        (_("Purpose"), purpose_label),
        (_("Recipient"), recipient),
        (_("Date"), today),
        (_("Reference"), reference),
        (_("Made by"), _person(made_by)),
        (_("Consent decided by"), decider),
        (_("Consent given on"), _date(consent.given_on)),
    ]
    story.append(_facts_table(facts, styles))
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            plain(
                _(
                    "This copy holds only the parts of the young person's holistic assessment that their consent "
                    "allows to be shared with this recipient for this purpose. Parts not included are listed at the "
                    "end, with the reason; their content is not shown."
                )
            ),
            styles["body"],
        )
    )
    story.append(PageBreak())

    shown = [section for section in SECTIONS if section.key in versions]
    if not shown:
        story.append(Paragraph(plain(_("No sections are included in this copy.")), styles["body"]))
    for section in shown:
        version = versions[section.key]
        byline = _("By %(who)s, on %(date)s. Version %(number)s.") % {
            "who": _author(version),
            "date": _date(version.created_at),
            "number": version.number,
        }
        heading = [
            Paragraph(plain(section.title), styles["h2"]),
            Paragraph(f"{plain(version.get_voice_display())}. {plain(byline)}", styles["meta"]),
        ]
        if section.sensitive:
            heading.append(
                Paragraph(
                    f"<b>{plain(_('Content note:'))}</b> "
                    f"{plain(_('this section describes difficult experiences that may be upsetting to read.'))}",
                    styles["body"],
                )
            )
        body = _paragraphs(version.text, styles["body"])
        # Keep the heading with the start of its text; the rest may flow onto the next pages.
        story.append(KeepTogether([*heading, *body[:1]]))
        story.extend(body[1:])

    story.extend(_withheld_part(withheld, styles))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_SPACE - 6 * mm,
        bottomMargin=MARGIN + FOOTER_SPACE - 8 * mm,
        title=f"{title} {reference}",
        author="Nyth",
        subject=purpose_label,
        lang=translation.get_language(),
    )

    def page_label(page: int, total: int) -> str:
        return page_format % {"page": page, "total": total}

    document.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_numbered_canvas(page_label))
    return buffer.getvalue()


def _person(user: User) -> str:
    parts = [user.get_full_name() or user.get_username()]
    if user.profession:
        parts.append(str(user.get_profession_display()))
    elif user.job_title:
        parts.append(user.job_title)
    if user.organisation_id:
        parts.append(organisation_name(user.organisation))
    return ", ".join(parts)


def _author(version: SectionVersion) -> str:
    """Who wrote the version, from where – as they were when writing."""
    return version.byline_who()  # in the PDF's language (built inside translation.override)


def _facts_table(rows: Iterable[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    data = [
        [Paragraph(plain(label), styles["label"]), Paragraph(plain(value), styles["value"])] for label, value in rows
    ]
    table = Table(data, colWidths=[50 * mm, PAGE_WIDTH - 2 * MARGIN - 50 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _withheld_part(withheld: dict[str, str], styles: dict[str, ParagraphStyle]) -> list[Any]:
    """What was not included and why – never what it says.

    A section nobody has written is "not written", not "withheld": nothing was kept back, and a
    court reading "withheld" would think otherwise. Restricted sections are only counted, and in
    words that do not say they are restricted: the reader learns that something more is withheld,
    not which section nor which kind of withholding (a restriction marks a disclosure)."""
    part: list[Any] = [Paragraph(plain(_("Not included in this copy")), styles["h2"])]
    reasons = dict(WithheldReason.choices)
    rows = []
    for key, reason in sorted(withheld.items(), key=lambda item: _order(item[0])):
        if key not in BY_KEY or reason == WithheldReason.RESTRICTED:
            continue
        if reason == WithheldReason.EMPTY:
            rows.append((str(BY_KEY[key].title), str(reasons[WithheldReason.EMPTY])))
        else:
            rows.append((str(BY_KEY[key].title), _("Withheld: %(reason)s") % {"reason": reasons.get(reason, reason)}))
    restricted = sum(1 for reason in withheld.values() if reason == WithheldReason.RESTRICTED)
    if not rows and not restricted:
        part.append(Paragraph(plain(_("Nothing was withheld.")), styles["body"]))
        return part
    if rows:
        part.append(_facts_table(rows, styles))
        part.append(Spacer(1, 4 * mm))
    if restricted:
        part.append(
            Paragraph(
                plain(
                    ngettext(
                        "%(count)s further section is withheld.", "%(count)s further sections are withheld.", restricted
                    )
                    % {"count": restricted}
                ),
                styles["body"],
            )
        )
    return part


def _order(key: str) -> int:
    keys = [section.key for section in SECTIONS]
    return keys.index(key) if key in keys else len(keys)
