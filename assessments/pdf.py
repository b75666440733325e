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
* The fonts (DejaVu Sans, for Welsh letters), styles, header, footer and page numbers are the
  house style in ``core.pdf``; user text is XML-escaped there (``plain``) before it reaches a
  ReportLab paragraph (which reads a mark-up).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from accounts.names import organisation_name
from assessments.models import WithheldReason
from assessments.sections import BY_KEY, SECTIONS
from core.pdf import build, facts_table, local_date, paragraphs, plain, register_fonts
from core.pdf import styles as pdf_styles

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from reportlab.lib.styles import ParagraphStyle

    from accounts.models import Organisation, User
    from assessments.models import SectionVersion
    from consent.models import ConsentDecision
    from people.models import Child


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
    styles = pdf_styles()
    recipient = organisation_name(organisation)  # in the copy's language (inside its override)
    today = local_date(made_at)
    title = _("Holistic assessment")

    header_lines = [
        _("For: %(recipient)s. Purpose: %(purpose)s.") % {"recipient": recipient, "purpose": purpose_label},
        _("Date: %(date)s. Reference: %(reference)s.") % {"date": today, "reference": reference},
    ]
    confidentiality = _(
        "Confidential. Shared with the young person's consent, for this purpose and this recipient only. Do not copy or pass on."
    )
    page_format = _("Page %(page)s of %(total)s")

    story: list[Any] = [
        Paragraph(plain(title), styles["title"]),
        Paragraph(plain(child.display_name), styles["subtitle"]),
    ]

    decider = str(consent.get_decider_display())
    if consent.decider_name:
        decider = f"{decider}: {consent.decider_name}"
    facts: list[tuple[str, str]] = [
        (_("Name"), child.display_name),
        (_("Date of birth"), local_date(child.date_of_birth)),
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
        (_("Consent given on"), local_date(consent.given_on)),
    ]
    story.append(facts_table(facts, styles))
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
            "date": local_date(version.created_at),
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
        body = paragraphs(version.text, styles["body"])
        # Keep the heading with the start of its text; the rest may flow onto the next pages.
        story.append(KeepTogether([*heading, *body[:1]]))
        story.extend(body[1:])

    story.extend(_withheld_part(withheld, styles))

    content, _pages = build(
        story,
        title=f"{title} {reference}",
        subject=purpose_label,
        header_lines=header_lines,
        footer=confidentiality,
        page_format=page_format,
    )
    return content


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
        part.append(facts_table(rows, styles))
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
