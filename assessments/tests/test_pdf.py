"""PDF copies for a court or another service: only with a consent for that recipient and
purpose, never with a restricted section, every page saying who it is for, when, why and its
reference, the fixed text in the recipient's chosen language, and every copy audited and
fingerprinted (SHA-256).

The text is read back from the PDF bytes with pypdf, so these tests check what a reader of the
file would actually see – not what we meant to draw."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.tests.factories import OrganisationFactory
from assessments import pdf
from assessments.models import AssessmentExport
from assessments.services import restrict_section, save_section
from assessments.sharing import export_pdf
from assessments.tests.builders import break_glass, give_consent
from audit.models import AuditEvent
from core import pdf as shared_pdf

pytestmark = pytest.mark.django_db

STORY = "Rwy'n hoffi dringo gyda fy nghi Mabli. Dŵr, tŷ, ŵyr a ŷd: ŵ ŷ Ŵ Ŷ â ê î ô û Â Ê Î Ô Û."
SECRET = "A disclosure known only to the named workers, ZZSECRETZZ."


@pytest.fixture
def court(db):
    return OrganisationFactory(
        code="CRT-CDF", name_en="Cardiff Family Court", name_cy="Llys Teulu Caerdydd", type="court"
    )


@pytest.fixture
def written(child, alice):
    save_section(by=alice, child=child, section="my_story", text=STORY, based_on=0, voice="young_person")
    save_section(
        by=alice, child=child, section="strengths", text="Good at climbing & drawing <3 – proud of it.", based_on=0
    )
    save_section(by=alice, child=child, section="adversity", text=SECRET, based_on=0)
    restrict_section(
        by=alice, child=child, section="adversity", allowed=[], reason="Disclosure; the young person asked."
    )
    return child


@pytest.fixture
def court_consent(written, court, manager):
    return give_consent(written, recorded_by=manager, organisation=court, purposes=("court",), items=("assessment",))


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def export(alice, child, court, *, sections=("my_story", "strengths", "adversity"), language="en", purpose="court"):
    return export_pdf(
        by=alice, child=child, organisation=court, purpose=purpose, sections=list(sections), language=language
    )


def test_a_court_copy_needs_a_consent_for_court_proceedings(alice, written, court, manager):
    """A consent to the court for joint assessment does not allow a copy for court proceedings."""
    give_consent(
        written, recorded_by=manager, organisation=court, purposes=("joint_assessment",), items=("assessment",)
    )
    with pytest.raises(ValidationError) as refused:
        export(alice, written, court)
    assert "purpose" in refused.value.message_dict
    assert "Court proceedings" in refused.value.message_dict["purpose"][0]
    assert not AssessmentExport.objects.exists()

    give_consent(written, recorded_by=manager, organisation=court, purposes=("court",), items=("assessment",))
    made, content = export(alice, written, court)
    assert content.startswith(b"%PDF")
    assert made.consent.purposes == ["court"]


def test_a_copy_with_no_consent_for_that_court_is_refused(alice, written, court, manager):
    other_court = OrganisationFactory(
        code="CRT-SWA", name_en="Swansea Family Court", name_cy="Llys Teulu Abertawe", type="court"
    )
    give_consent(written, recorded_by=manager, organisation=other_court, purposes=("court",), items=("assessment",))
    with pytest.raises(ValidationError) as refused:
        export(alice, written, court)
    assert "Cardiff Family Court" in refused.value.message_dict["organisation"][0]


def test_a_consent_to_every_court_covers_this_court(alice, written, court, manager):
    give_consent(
        written, recorded_by=manager, recipient_organisation_type="court", purposes=("court",), items=("assessment",)
    )
    made, _content = export(alice, written, court)
    assert made.recipient_organisation == court


def test_restricted_sections_never_appear_in_a_copy(alice, written, court, court_consent):
    """Even chosen, even covered by consent, even when the person exporting is named on the restriction."""
    made, content = export(alice, written, court)
    text = "\n".join(pages_text(content))
    assert "ZZSECRETZZ" not in text
    assert "Experiences of adversity and trauma" not in text  # not even its title
    # The reader learns that something is withheld, not which kind of withholding it is.
    assert "1 further section is withheld." in text
    assert "restricted" not in text.lower()
    assert made.withheld["adversity"] == "restricted"
    assert "adversity" not in made.sections
    assert set(made.versions.values_list("section", flat=True)) == {"my_story", "strengths"}


def test_withheld_sections_are_listed_with_the_reason_not_the_content(alice, written, court, manager):
    give_consent(written, recorded_by=manager, organisation=court, purposes=("court",), sections=("my_story", "health"))
    made, content = export(alice, written, court, sections=("my_story", "strengths", "health"))
    text = " ".join(" ".join(pages_text(content)).split())
    assert made.withheld["strengths"] == "not_consented"
    assert made.withheld["health"] == "empty"
    assert made.withheld["home"] == "not_chosen"
    assert "Withheld: Not covered by the young person's consent" in text
    assert "Good at climbing" not in text
    # A section nobody has written is not "withheld": nothing was kept back.
    assert "Not written yet" in text
    assert "Withheld: Not written" not in text


def test_every_page_carries_recipient_date_purpose_reference_and_page_numbers(alice, written, court, court_consent):
    long_text = "\n\n".join(
        f"Paragraph {n}: " + "Mae'r stori hon yn hir iawn ac yn mynd ymlaen. " * 12 for n in range(60)
    )
    save_section(by=alice, child=written, section="education", text=long_text, based_on=0)
    made, content = export(alice, written, court, sections=("my_story", "education"))
    pages = pages_text(content)
    assert len(pages) >= 4, "the long section should flow over several pages"
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert made.reference in flat, f"page {number} lacks the reference"
        assert "Cardiff Family Court" in flat
        assert "Court proceedings" in flat
        assert f"Page {number} of {len(pages)}" in flat
        assert "Confidential" in flat
    # The long text is all there, in order, across the pages.
    everything = " ".join(" ".join(pages).split())
    assert "Paragraph 0:" in everything and "Paragraph 59:" in everything
    assert everything.index("Paragraph 0:") < everything.index("Paragraph 59:")


def test_the_first_page_identifies_the_child_the_consent_and_the_copy(alice, written, court, court_consent):
    made, content = export(alice, written, court)
    first = " ".join(pages_text(content)[0].split())
    assert "Holistic assessment" in first
    assert written.display_name in first
    assert "27 March 2012" in first  # date of birth
    assert "943 476 5919" in first
    assert "The young person, able to decide for themselves" in first
    assert made.reference in first
    assert re.fullmatch(r"EX-\d{4}-[A-Z2-9]{6}", made.reference)


def test_a_welsh_copy_has_welsh_fixed_text_and_keeps_welsh_letters(alice, written, court, court_consent):
    made, content = export(alice, written, court, language="cy")
    text = " ".join(" ".join(pages_text(content)).split())
    with translation.override("cy"):
        title = translation.gettext("Holistic assessment")
        story_title = translation.gettext("My story and what matters to me")
        purpose = translation.gettext("Court proceedings")
    assert title != "Holistic assessment", "the Welsh catalogue should translate the title"
    assert title in text and story_title in text and purpose in text
    assert "Llys Teulu Caerdydd" in text  # the recipient's Welsh name
    assert "Holistic assessment" not in text
    # The young person's own words, Welsh letters and all (the PDF base fonts would lose ŵ and ŷ).
    assert "Dŵr, tŷ, ŵyr a ŷd: ŵ ŷ Ŵ Ŷ â ê î ô û Â Ê Î Ô Û." in text
    assert made.language == "cy"


def test_user_text_is_escaped_not_read_as_markup(alice, written, court, court_consent):
    _made, content = export(alice, written, court)
    text = " ".join(" ".join(pages_text(content)).split())
    assert "Good at climbing & drawing <3 – proud of it." in text


def test_the_copy_is_audited_and_fingerprinted(alice, written, court, court_consent):
    made, content = export(alice, written, court)
    assert made.sha256 == hashlib.sha256(content).hexdigest()
    event = AuditEvent.objects.get(action="export", object_type="assessments.assessmentexport", object_id=str(made.pk))
    assert event.actor == alice
    assert event.child_id == written.pk
    assert event.detail["reference"] == made.reference
    assert event.detail["recipient"] == court.pk
    assert event.detail["purpose"] == "court"
    assert event.detail["sections"] == ["my_story", "strengths"]
    assert "Mabli" not in str(event.detail)  # never the text


def test_only_the_care_team_or_a_manager_may_make_a_copy(written, court, court_consent, duty, partner, manager):
    break_glass(duty, written)
    for person in (duty, partner):
        with pytest.raises(PermissionDenied):
            export(person, written, court)
    made, _content = export(manager, written, court)
    assert made.created_by == manager


def test_a_missing_font_fails_with_a_clear_error(monkeypatch, tmp_path):
    # The fonts are the shared house style (core.pdf) that this copy uses.
    monkeypatch.setattr(shared_pdf, "FONT_DIR", tmp_path)
    monkeypatch.setattr(shared_pdf.pdfmetrics, "getRegisteredFontNames", lambda: [])
    with pytest.raises(shared_pdf.FontMissingError, match="make install"):
        pdf.register_fonts()


# --- Through the page --------------------------------------------------------------------------


def test_the_export_page_downloads_the_pdf(client_for, alice, written, court, court_consent):
    address = reverse("assessments:export_create", args=[written.pk])
    page = client_for(alice).get(address)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Cardiff Family Court" in body
    assert 'value="adversity"' not in body  # a restricted section is not offered
    # Asking for the restricted section anyway (a hand-made request) is refused, not ignored.
    tampered = client_for(alice).post(
        address, {"organisation": court.pk, "purpose": "court", "sections": ["my_story", "adversity"], "language": "en"}
    )
    assert tampered.status_code == 200 and tampered["Content-Type"].startswith("text/html")
    assert not AssessmentExport.objects.exists()
    response = client_for(alice).post(
        address, {"organisation": court.pk, "purpose": "court", "sections": ["my_story", "strengths"], "language": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    made = AssessmentExport.objects.get()
    assert response["Content-Disposition"] == f'attachment; filename="{made.reference}.pdf"'
    assert hashlib.sha256(response.content).hexdigest() == made.sha256
    assert "ZZSECRETZZ" not in " ".join(pages_text(response.content))


def test_the_export_page_keeps_answers_and_explains_a_missing_consent(client_for, alice, written, court, manager):
    give_consent(
        written, recorded_by=manager, organisation=court, purposes=("joint_assessment",), items=("assessment",)
    )
    address = reverse("assessments:export_create", args=[written.pk])
    response = client_for(alice).post(
        address, {"organisation": court.pk, "purpose": "court", "sections": ["strengths"], "language": "cy"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "does not include" in body
    assert re.search(r'value="strengths"\s+checked', body) or 'value="strengths" checked' in body
    assert re.search(r'value="cy"[^>]*checked', body)
    assert not AssessmentExport.objects.exists()


def test_a_copy_for_a_service_taking_over_needs_a_transition_consent(alice, written, manager):
    """ "Another service": a transition consent allows a copy; joint assessment is shared in Nyth instead."""
    next_service = OrganisationFactory(
        code="TS-NEXT", name_en="Next Step Project", name_cy="Prosiect Y Cam Nesaf", type="third_sector"
    )
    give_consent(
        written, recorded_by=manager, organisation=next_service, purposes=("joint_assessment",), items=("assessment",)
    )
    with pytest.raises(ValidationError) as refused:
        export(alice, written, next_service, purpose="joint_assessment")
    assert "share the assessment in Nyth" in refused.value.message_dict["purpose"][0]
    with pytest.raises(ValidationError):
        export(alice, written, next_service, purpose="transition")
    give_consent(
        written, recorded_by=manager, organisation=next_service, purposes=("transition",), items=("assessment",)
    )
    made, content = export(alice, written, next_service, purpose="transition")
    assert "Transition to another service" in " ".join(pages_text(content)[0].split())
    assert made.purpose == "transition"


def test_a_welsh_copy_names_the_authors_organisation_in_welsh(alice, written, court, court_consent):
    """The byline was saved from English screens ("South Service"); the Welsh court copy names
    the author's service in Welsh, from the organisation kept with the version."""
    _made, content = export(alice, written, court, language="cy")
    text = " ".join(" ".join(pages_text(content)).split())
    assert "Alice Ymarferydd, Gwasanaeth y De" in text
    assert "South Service" not in text
