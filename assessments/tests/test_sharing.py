"""Sharing the assessment with an organisation: only where a consent in force covers that
recipient and purpose (or a manager approved a safeguarding share), only what was chosen, covered,
written and not restricted – the rest recorded as withheld with the reason – and read by the
recipient only while the consent lasts. Restrictions are honoured even in shares already made."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.tests.factories import OrganisationFactory, UserFactory
from assessments.models import AssessmentShare
from assessments.services import restrict_section, save_section
from assessments.sharing import share_assessment
from assessments.tests.builders import approve_safeguarding, break_glass, give_consent
from audit.models import AuditEvent
from consent.services import withdraw_consent

pytestmark = pytest.mark.django_db

STORY = "I like climbing and my dog Mabli. I want to stay at my school."
SECRET = "ZZSECRETZZ – a disclosure only the named workers know."


@pytest.fixture
def health_board(db):
    """Cardiff and Vale health board (CAMHS) – the ``partner`` fixture works there."""
    return Organisation.objects.get(code="7A4")


@pytest.fixture
def written(child, alice):
    save_section(by=alice, child=child, section="my_story", text=STORY, based_on=0, voice="young_person")
    save_section(by=alice, child=child, section="strengths", text="Good at climbing and drawing.", based_on=0)
    save_section(by=alice, child=child, section="education", text="Year 8 at Ysgol y Wern; likes art.", based_on=0)
    save_section(by=alice, child=child, section="adversity", text=SECRET, based_on=0)
    restrict_section(by=alice, child=child, section="adversity", allowed=[], reason="The young person asked.")
    return child


@pytest.fixture
def camhs_consent(written, manager):
    """Consent to every health board (an organisation *type*), for joint assessment, of the whole assessment."""
    return give_consent(
        written,
        recorded_by=manager,
        recipient_organisation_type="health_board",
        purposes=("joint_assessment",),
        items=("assessment",),
    )


def share(
    by, child, organisation, *, purpose="joint_assessment", sections=("my_story", "strengths", "adversity"), **extra
):
    return share_assessment(
        by=by, child=child, organisation=organisation, purpose=purpose, sections=list(sections), **extra
    )


# --- The service ---------------------------------------------------------------------------------


def test_without_a_covering_consent_sharing_is_refused_and_says_what_to_do(alice, written, health_board):
    with pytest.raises(ValidationError) as refused:
        share(alice, written, health_board)
    message = refused.value.message_dict["organisation"][0]
    assert "No consent in force allows sharing with Cardiff and Vale" in message
    assert "safeguarding share" in message
    assert not AssessmentShare.objects.exists()


def test_a_consent_for_another_purpose_is_refused_naming_the_purpose(alice, written, health_board, manager):
    give_consent(
        written, recorded_by=manager, organisation=health_board, purposes=("transition",), items=("assessment",)
    )
    with pytest.raises(ValidationError) as refused:
        share(alice, written, health_board)
    assert "does not include “Joint assessment and care planning”" in refused.value.message_dict["purpose"][0]


def test_a_withdrawn_consent_allows_nothing(alice, written, health_board, camhs_consent, manager):
    withdraw_consent(by=manager, consent=camhs_consent, note="The young person changed their mind.")
    with pytest.raises(ValidationError):
        share(alice, written, health_board)


def test_a_consent_to_the_organisation_type_for_that_purpose_allows_the_share(
    alice, written, health_board, camhs_consent
):
    made = share(alice, written, health_board, note="For the CAMHS appointment on Friday.")
    assert made.consent == camhs_consent
    assert made.safeguarding is None
    assert made.recipient_organisation == health_board
    assert made.shared_by == alice
    assert set(made.versions.values_list("section", flat=True)) == {"my_story", "strengths"}
    assert made.reference.startswith(f"SH-{timezone.localdate().year}-")
    assert len(made.reference) == len("SH-2026-ABCDEF")


def test_withheld_sections_carry_the_right_reason(alice, written, health_board, manager):
    give_consent(
        written,
        recorded_by=manager,
        organisation=health_board,
        purposes=("joint_assessment",),
        sections=("my_story", "strengths", "relationships", "adversity"),
    )
    made = share(alice, written, health_board, sections=("my_story", "education", "relationships", "adversity"))
    assert set(made.versions.values_list("section", flat=True)) == {"my_story"}
    assert made.withheld["adversity"] == "restricted"  # chosen and covered, but restricted
    assert made.withheld["education"] == "not_consented"  # chosen and written, not covered
    assert made.withheld["relationships"] == "empty"  # chosen and covered, not written
    assert made.withheld["strengths"] == "not_chosen"  # covered and written, not chosen
    assert made.withheld["health"] == "not_chosen"
    assert "my_story" not in made.withheld
    assert len(made.withheld) == 12


def test_the_share_is_a_snapshot_of_the_versions_when_shared(alice, written, health_board, camhs_consent):
    made = share(alice, written, health_board)
    save_section(by=alice, child=written, section="my_story", text="A newer story.", based_on=1)
    assert made.versions.get(section="my_story").text == STORY


def test_sharing_twice_within_a_minute_returns_the_first_share(alice, written, health_board, camhs_consent):
    first = share(alice, written, health_board)
    again = share(alice, written, health_board)
    assert again.pk == first.pk
    assert AssessmentShare.objects.count() == 1
    # Different sections are a different share.
    other = share(alice, written, health_board, sections=("my_story",))
    assert other.pk != first.pk
    # The same sections a minute later are a new share too.
    AssessmentShare.objects.filter(pk=first.pk).update(shared_at=timezone.now() - datetime.timedelta(minutes=2))
    later = share(alice, written, health_board)
    assert later.pk != first.pk


def test_a_share_is_audited_without_any_text(alice, written, health_board, camhs_consent):
    made = share(alice, written, health_board, note="Private note about Mabli")
    event = AuditEvent.objects.get(action="share", object_type="assessments.assessmentshare", object_id=str(made.pk))
    assert event.actor == alice and event.child_id == written.pk
    assert event.detail["recipient"] == health_board.pk
    assert event.detail["purpose"] == "joint_assessment"
    assert event.detail["sections"] == ["my_story", "strengths"]
    assert event.detail["withheld"] == 11
    assert "Mabli" not in str(event.detail)


def test_only_staff_with_a_write_route_may_share(written, health_board, camhs_consent, duty, partner, bob, manager):
    break_glass(duty, written)
    for person in (duty, partner, bob):
        with pytest.raises(PermissionDenied):
            share(person, written, health_board)
    assert share(manager, written, health_board).shared_by == manager


def test_court_proceedings_allow_a_copy_only_not_a_share_in_nyth(alice, written, manager):
    court = OrganisationFactory(code="CRT-T", name_en="Test Court", name_cy="Llys Prawf", type="court")
    give_consent(written, recorded_by=manager, organisation=court, purposes=("court",), items=("assessment",))
    with pytest.raises(ValidationError) as refused:
        share(alice, written, court, purpose="court")
    assert "PDF" in refused.value.message_dict["purpose"][0]


def test_an_approved_safeguarding_share_allows_sharing_what_it_covers(alice, written, manager, la_cardiff):
    approve_safeguarding(
        written, organisation=la_cardiff, requested_by=alice, decided_by=manager, sections=("my_story",)
    )
    made = share(alice, written, la_cardiff, sections=("my_story", "strengths"))
    assert made.consent is None
    assert made.safeguarding is not None
    assert set(made.versions.values_list("section", flat=True)) == {"my_story"}
    assert made.withheld["strengths"] == "not_consented"


def test_the_language_defaults_to_welsh_for_a_young_person_who_prefers_welsh(
    alice, written, health_board, camhs_consent
):
    assert share(alice, written, health_board).language == "en"
    written.preferred_language = "cy"
    written.save()
    assert share(alice, written, health_board, sections=("my_story",)).language == "cy"
    assert share(alice, written, health_board, sections=("strengths",), language="en").language == "en"


# --- The pages -----------------------------------------------------------------------------------


def share_url(child):
    return reverse("assessments:share_create", args=[child.pk])


def detail_url(made):
    return reverse("assessments:share_detail", args=[made.pk])


def test_the_share_page_lists_only_recipients_with_consent_and_never_offers_restricted_sections(
    client_for, alice, written, health_board, camhs_consent
):
    response = client_for(alice).get(share_url(written))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cardiff and Vale" in body  # a health board: the consent names the type
    assert "Cardiff Council" not in body  # no consent for the local authority
    assert 'value="my_story"' in body and 'value="adversity"' not in body
    assert "Restricted to named people" in body  # shown as unavailable, with the reason
    assert reverse("consent:create", args=[written.pk]) in body
    assert SECRET not in body


def test_sharing_through_the_page_then_the_recipient_reads_it(
    client_for, alice, partner, written, health_board, camhs_consent
):
    response = client_for(alice).post(
        share_url(written),
        {
            "organisation": health_board.pk,
            "purpose": "joint_assessment",
            "sections": ["my_story", "education"],
            "language": "cy",
            "note": "Ahead of the joint meeting.",
            "action": "share",
        },
    )
    made = AssessmentShare.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(made)
    assert made.language == "cy" and made.note == "Ahead of the joint meeting."

    page = client_for(partner).get(detail_url(made))
    body = page.content.decode()
    assert page.status_code == 200
    assert STORY in body
    assert "Year 8 at Ysgol y Wern" in body
    assert "Ahead of the joint meeting." in body
    assert made.reference in body
    assert "Cymraeg" in body  # the language the sharer chose is noted
    # What was withheld and why – restricted ones only counted, never shown.
    assert "Not chosen for this purpose" in body
    assert "1 further section is withheld." in body  # not told it is a restriction
    assert SECRET not in body and "Experiences of adversity and trauma" not in body
    event = AuditEvent.objects.filter(actor=partner, action="view", object_type="assessments.assessmentshare").get()
    assert event.detail["share"] == made.reference
    assert event.detail["route"] == "consent"
    assert event.child_id == written.pk


def test_withdrawing_consent_removes_the_recipients_access_at_once(
    client_for, partner, manager, alice, written, health_board, camhs_consent
):
    made = share(alice, written, health_board)
    client = client_for(partner)
    assert client.get(detail_url(made)).status_code == 200
    withdraw_consent(by=manager, consent=camhs_consent, note="The young person changed their mind.")
    gone = client.get(detail_url(made))
    assert gone.status_code == 404
    assert STORY not in gone.content.decode()
    # The sharer's side still sees what was shared (it is part of the child's record).
    assert client_for(alice).get(detail_url(made)).status_code == 200


def test_strangers_and_other_partners_get_404(client_for, charlie, alice, written, health_board, camhs_consent):
    made = share(alice, written, health_board)
    other_board = Organisation.objects.exclude(pk=health_board.pk).filter(type="health_board").first()
    elsewhere = UserFactory(username="elsewhere", organisation=other_board, role=Role.PARTNER)
    for person in (charlie, elsewhere):
        response = client_for(person).get(detail_url(made))
        assert response.status_code == 404
        assert STORY not in response.content.decode()


def test_a_section_restricted_after_sharing_disappears_from_the_share(
    client_for, alice, partner, written, health_board, camhs_consent
):
    made = share(alice, written, health_board, sections=("my_story", "strengths"))
    restrict_section(by=alice, child=written, section="my_story", allowed=[], reason="Now a disclosure is in it.")
    body = client_for(partner).get(detail_url(made)).content.decode()
    assert STORY not in body
    assert "Good at climbing and drawing." in body
    # The recipient is told two more sections are withheld, not that they are restricted.
    assert "2 further sections are withheld." in body
    assert "restricted" not in body.lower()
    # The sharer's side knows why.
    assert (
        "2 sections are restricted to named people and are not shared."
        in client_for(alice).get(detail_url(made)).content.decode()
    )


def test_a_refused_share_keeps_everything_typed_and_points_to_the_routes(
    client_for, alice, written, la_cardiff, health_board, camhs_consent
):
    """The local authority is not offered (no consent): a hand-made request for it is refused by
    the form; for the health board with the wrong purpose, the consent rule explains itself."""
    client = client_for(alice)
    response = client.post(
        share_url(written),
        {
            "organisation": health_board.pk,
            "purpose": "transition",
            "sections": ["strengths"],
            "language": "cy",
            "note": "Typed with care.",
            "action": "share",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "does not include “Transition to another service”" in body
    assert "Typed with care." in body
    assert reverse("consent:safeguarding_create", args=[written.pk]) in body
    assert not AssessmentShare.objects.exists()
    refused = client.post(
        share_url(written),
        {"organisation": la_cardiff.pk, "purpose": "joint_assessment", "sections": ["strengths"], "language": "en"},
    )
    assert refused.status_code == 200 and "Choose an organisation from the list" in refused.content.decode()


def test_the_share_page_can_download_a_pdf_instead(client_for, alice, written, manager):
    court = OrganisationFactory(code="CRT-P", name_en="Page Court", name_cy="Llys Tudalen", type="court")
    give_consent(written, recorded_by=manager, organisation=court, purposes=("court",), items=("assessment",))
    response = client_for(alice).post(
        share_url(written),
        {"organisation": court.pk, "purpose": "court", "sections": ["my_story"], "language": "en", "action": "pdf"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="EX-')
    assert not AssessmentShare.objects.exists()


def test_emergency_access_cannot_share(client_for, duty, written, camhs_consent):
    break_glass(duty, written)
    assert client_for(duty).get(share_url(written)).status_code == 403


def test_who_has_seen_my_story_tells_of_the_share_and_the_recipients_reading(
    client_for, alice, partner, written, health_board, camhs_consent
):
    made = share(alice, written, health_board)
    client_for(partner).get(detail_url(made))
    body = client_for(alice).get(reverse("assessments:seen", args=[written.pk])).content.decode()
    assert "shared your story with Cardiff and Vale University Health Board CAMHS" in body
    assert "Pat Partner" in body and "read the copy of your story shared with Cardiff and Vale" in body


# --- Guards that must hold under ``python -O`` (they were ``assert`` statements) ------------------
# Each test removes the check that normally comes first, as a regression would, and expects the
# service's own refusal: an AssertionError (or no error at all with -O) fails the test.


def test_sharing_without_a_recipient_is_refused_even_if_the_choice_check_lets_it_through(alice, written, monkeypatch):
    from assessments import sharing

    monkeypatch.setattr(sharing, "_check_choice", lambda **kwargs: ["my_story"])
    with pytest.raises(ValidationError) as refused:
        share(alice, written, None, sections=("my_story",))
    assert "organisation" in refused.value.message_dict
    assert not AssessmentShare.objects.exists()


def test_a_pdf_without_a_recipient_is_refused_even_if_the_choice_check_lets_it_through(alice, written, monkeypatch):
    from assessments import sharing

    monkeypatch.setattr(sharing, "_check_choice", lambda **kwargs: ["my_story"])
    with pytest.raises(ValidationError) as refused:
        sharing.export_pdf(
            by=alice, child=written, organisation=None, purpose="court", sections=["my_story"], language="en"
        )
    assert "organisation" in refused.value.message_dict


def test_a_pdf_is_never_made_on_a_safeguarding_share_even_if_the_selection_allows_one(
    alice, written, manager, la_cardiff, monkeypatch
):
    """A PDF copy needs a consent; a safeguarding share allows reading in Nyth only."""
    from assessments import sharing
    from assessments.models import AssessmentExport

    approve_safeguarding(
        written, organisation=la_cardiff, requested_by=alice, decided_by=manager, sections=("my_story",)
    )
    real_select = sharing._select
    # A regression that forgot the PDF route must not use safeguarding shares:
    monkeypatch.setattr(sharing, "_select", lambda **kwargs: real_select(**{**kwargs, "allow_safeguarding": True}))
    with pytest.raises(ValidationError):
        sharing.export_pdf(
            by=alice, child=written, organisation=la_cardiff, purpose="transition", sections=["my_story"], language="en"
        )
    assert not AssessmentExport.objects.exists()


def test_the_message_to_the_recipient_is_marked_with_its_language(
    client_for, alice, partner, written, health_board, camhs_consent
):
    """WCAG 3.1.2: a message written in Welsh on the English form is shown ``lang="cy"``, whatever
    the language of the headings; an old share (undetermined) has no lang attribute."""
    client_for(alice).post(
        share_url(written),
        {
            "organisation": health_board.pk,
            "purpose": "joint_assessment",
            "sections": ["my_story"],
            "language": "en",
            "note": "Cyn y cyfarfod ar y cyd.",
            "text_language": "cy",
            "action": "share",
        },
    )
    made = AssessmentShare.objects.get()
    assert made.text_language == "cy"
    body = client_for(partner).get(detail_url(made)).content.decode()
    assert '<div class="govuk-body" lang="cy"><p>Cyn y cyfarfod ar y cyd.</p></div>' in body
    AssessmentShare.objects.filter(pk=made.pk).update(text_language="")
    body = client_for(partner).get(detail_url(made)).content.decode()
    assert '<div class="govuk-body"><p>Cyn y cyfarfod ar y cyd.</p></div>' in body
