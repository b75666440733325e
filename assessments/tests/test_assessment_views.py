"""The holistic assessment pages, person by person: what each route may read and write, how a
restricted section looks to those not named, what happens when two people save the same section
(nothing typed is lost), comparing versions, "who has seen my story" in plain words, and that
every page is audited."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import SectionRestriction, SectionVersion
from assessments.services import restrict_section, save_section
from assessments.tests.builders import approve_safeguarding, break_glass, give_consent
from audit.models import AuditEvent
from people.tests.factories import CareTeamFactory

pytestmark = pytest.mark.django_db

STORY = "I like climbing and my dog Mabli. I want to stay at my school."
TRAUMA = "Witnessed violence at home before coming into care."


def url(name, child, section=None, **query):
    args = [child.pk] if section is None else [child.pk, section]
    address = reverse(f"assessments:{name}", args=args)
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


def edit_post(text, based_on, voice="professional"):
    return {"text": text, "voice": voice, "based_on": str(based_on)}


@pytest.fixture
def written(child, alice):
    """An assessment with the young person's story and a sensitive section written."""
    save_section(by=alice, child=child, section="my_story", text=STORY, based_on=0, voice="young_person")
    save_section(by=alice, child=child, section="adversity", text=TRAUMA, based_on=0)
    save_section(by=alice, child=child, section="strengths", text="Good at climbing and drawing.", based_on=0)
    return child


def last_event(**filters):
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


# --- The care team ----------------------------------------------------------------------------


def test_care_team_reads_every_section_with_who_wrote_it_and_the_version(client_for, alice, written):
    response = client_for(alice).get(url("assessment", written))
    body = response.content.decode()
    assert response.status_code == 200
    assert "I like climbing and my dog Mabli." in body
    assert "Written by the young person" in body
    assert "By Alice Ymarferydd, South Service, on" in body
    assert "Not written yet." in body  # e.g. health
    assert "Assessment version 3" in body
    assert url("compare", written) in body
    assert url("section_edit", written, "health") in body
    # The sensitive section is folded away behind a content note: the reader chooses to open it.
    assert re.search(r"<details class=\"govuk-details\">.*Content note:.*Witnessed violence", body, re.S)
    event = last_event(actor=alice, action="view", child_id=written.pk)
    assert event.object_type == "assessments.assessment"
    assert event.detail["route"] == "care_team"
    assert len(event.detail["sections"]) == 13


def test_care_team_writes_a_section_as_a_new_version(client_for, alice, written):
    client = client_for(alice)
    page = client.get(url("section_edit", written, "my_story")).content.decode()
    assert "I like climbing and my dog Mabli." in page  # the current text is prefilled
    assert 'name="based_on" value="1"' in page
    response = client.post(
        url("section_edit", written, "my_story"), edit_post(STORY + " I also like Minecraft.", 1, "with_young_person")
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#section-my_story")
    latest = SectionVersion.objects.filter(section="my_story").order_by("-number").first()
    assert latest.number == 2 and latest.text.endswith("Minecraft.") and latest.voice == "with_young_person"
    assert latest.author_organisation == "South Service" and latest.route == "care_team"
    assert "was saved as version 2" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(
        action="update", object_type="assessments.sectionversion", object_id=str(latest.pk)
    ).exists()


def test_bad_input_is_explained_keeps_what_was_typed_and_saves_nothing(client_for, alice, written):
    client = client_for(alice)
    before = SectionVersion.objects.count()
    empty = client.post(url("section_edit", written, "health"), edit_post("   ", 0)).content.decode()
    assert "There is a problem" in empty and "Write something in the section before saving." in empty
    markup = client.post(
        url("section_edit", written, "health"), edit_post("Sleeps badly <script>x</script>", 0)
    ).content.decode()
    assert "Remove the HTML or script" in markup
    assert "Sleeps badly &lt;script&gt;" in markup  # kept, escaped
    no_voice = client.post(
        url("section_edit", written, "health"), {"text": "Sleeps badly", "based_on": "0"}
    ).content.decode()
    assert "Say whose words these are." in no_voice and "Sleeps badly" in no_voice
    assert SectionVersion.objects.count() == before


def test_an_unknown_section_is_not_found(client_for, alice, child):
    client = client_for(alice)
    for name in ("section_edit", "section_history", "section_restrict"):
        assert client.get(url(name, child, "diagnosis")).status_code == 404


# --- Emergency access ---------------------------------------------------------------------------


def test_break_glass_reads_but_cannot_write(client_for, duty, written):
    break_glass(duty, written)
    client = client_for(duty)
    response = client.get(url("assessment", written))
    body = response.content.decode()
    assert response.status_code == 200
    assert "I like climbing" in body
    assert "You are using emergency access" in body
    assert url("section_edit", written, "my_story") not in body
    assert client.get(url("section_edit", written, "my_story")).status_code == 403
    assert (
        client.post(url("section_edit", written, "my_story"), edit_post("Changed in an emergency", 1)).status_code
        == 403
    )
    assert client.get(url("section_restrict", written, "my_story")).status_code == 403
    assert not SectionVersion.objects.filter(text="Changed in an emergency").exists()
    event = last_event(actor=duty, action="view", object_type="assessments.assessment")
    assert event.route == "break_glass" and event.detail["route"] == "break_glass"


# --- Partners through consent -------------------------------------------------------------------


def test_a_partner_whose_consent_is_withdrawn_mid_edit_is_told_why_and_keeps_their_text(
    client_for, partner, manager, charlie, written
):
    from consent.services import withdraw_consent

    consent = give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["health"])
    client = client_for(partner)
    assert client.get(url("section_edit", written, "health")).status_code == 200
    withdraw_consent(by=manager, consent=consent, note="The young person changed their mind.")
    typed = "Seen by CAMHS on Tuesday; sleep is a little better."
    response = client.post(url("section_edit", written, "health"), edit_post(typed, 0))
    body = response.content.decode()
    assert response.status_code == 403
    assert "Your access to this assessment has ended" in body
    assert "withdrawn" in body
    assert typed in body  # their own words, to copy: it is theirs
    assert not SectionVersion.objects.filter(section="health").exists()
    assert written.display_name not in body and "I like climbing" not in body  # nothing of the record
    assert "The young person changed their mind." not in body  # the note is the record's, not theirs
    assert AuditEvent.objects.filter(action="refused", child_id=written.pk, detail__reason="consent_withdrawn").exists()
    # Someone who never had a consent still gets the plain 404.
    assert client_for(charlie).post(url("section_edit", written, "health"), edit_post(typed, 0)).status_code == 404


def test_partner_with_joint_assessment_consent_reads_and_writes_only_covered_sections(
    client_for, partner, manager, written
):
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story", "health"])
    client = client_for(partner)

    # Never the whole record.
    assert client.get(reverse("people:detail", args=[written.pk])).status_code == 404

    body = client.get(url("assessment", written)).content.decode()
    assert "I like climbing and my dog Mabli." in body
    assert "Shared with you by consent for Joint assessment and care planning" in body
    assert "Good at climbing and drawing." not in body and TRAUMA not in body
    assert body.count("Not shared with you.") == 11
    assert url("seen", written) not in body  # the record's pages are not theirs

    # Contributes to a covered section: the version says who, from where, and by which route.
    response = client.post(url("section_edit", written, "health"), edit_post("Seen by CAMHS; sleep is improving.", 0))
    assert response.status_code == 302
    version = SectionVersion.objects.get(section="health")
    assert version.author == partner and version.route == "consent"
    assert version.author_organisation == str(partner.organisation)
    page = client.get(url("assessment", written)).content.decode()
    assert f"By Pat Partner, {partner.organisation}" in page and "Contributed with the young person's consent." in page

    # Not a section the consent covers: 403 on every page about it, nothing saved.
    assert client.get(url("section_edit", written, "strengths")).status_code == 403
    assert client.post(url("section_edit", written, "strengths"), edit_post("Overwritten", 1)).status_code == 403
    assert client.get(url("section_history", written, "strengths")).status_code == 403
    assert client.get(url("section_history", written, "my_story")).status_code == 200
    assert not SectionVersion.objects.filter(text="Overwritten").exists()
    assert last_event(actor=partner, action="view", object_type="assessments.assessment").detail == {
        "route": "consent",
        "page": "history",
        "section": "my_story",
    }


def test_consent_for_transition_only_reads(client_for, partner, manager, written):
    give_consent(
        written, recorded_by=manager, organisation=partner.organisation, purposes=["transition"], items=["assessment"]
    )
    client = client_for(partner)
    body = client.get(url("assessment", written)).content.decode()
    assert "Good at climbing and drawing." in body
    assert url("section_edit", written, "strengths") not in body
    assert client.get(url("section_edit", written, "strengths")).status_code == 403
    assert client.post(url("section_edit", written, "strengths"), edit_post("New text", 1)).status_code == 403


def test_withdrawing_consent_ends_access_at_once(client_for, partner, manager, written):
    consent = give_consent(written, recorded_by=manager, organisation=partner.organisation, items=["assessment"])
    client = client_for(partner)
    assert client.get(url("assessment", written)).status_code == 200
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert client.get(url("assessment", written)).status_code == 404
    assert client.get(url("section_history", written, "my_story")).status_code == 404


def test_safeguarding_share_reads_with_a_notice_and_never_writes(client_for, partner, alice, manager, written):
    approve_safeguarding(
        written, organisation=partner.organisation, requested_by=alice, decided_by=manager, sections=["my_story"]
    )
    client = client_for(partner)
    body = client.get(url("assessment", written)).content.decode()
    assert "without consent, to protect the young person from significant harm" in body
    assert "I like climbing" in body
    assert client.get(url("section_edit", written, "my_story")).status_code == 403
    assert last_event(actor=partner, action="view").detail["route"] == "safeguarding"


# --- Restricted sections ------------------------------------------------------------------------


def test_restricting_a_section_hides_it_from_everyone_not_named(client_for, alice, bob, manager, partner, written):
    CareTeamFactory(child=written, user=bob, role="practitioner")
    give_consent(written, recorded_by=manager, organisation=partner.organisation, items=["assessment"])
    alice_client = client_for(alice)

    page = alice_client.get(url("section_restrict", written, "adversity")).content.decode()
    assert "never shared or exported" in page
    assert "Bob Ymarferydd" in page and "Mair Rheolwr" in page  # care team and the service's manager
    missing_reason = alice_client.post(
        url("section_restrict", written, "adversity"), {"allowed": [manager.pk], "reason": ""}
    )
    assert "Give the reason for restricting this section." in missing_reason.content.decode()
    response = alice_client.post(
        url("section_restrict", written, "adversity"),
        {"allowed": [manager.pk], "reason": "A disclosure: named workers only"},
    )
    assert response.status_code == 302
    restriction = SectionRestriction.objects.get(lifted_at__isnull=True)
    assert set(restriction.allowed_users.all()) == {alice, manager}  # the one restricting is always named

    # A named member reads it, and is told it is restricted.
    assert TRAUMA in client_for(manager).get(url("assessment", written)).content.decode()
    # Another care-team member sees only that something is restricted: not what, not who.
    bob_page = client_for(bob).get(url("assessment", written)).content.decode()
    assert TRAUMA not in bob_page and "Mair Rheolwr" not in bob_page
    assert "This section is restricted to named people." in bob_page
    assert "I like climbing" in bob_page
    assert client_for(bob).get(url("section_edit", written, "adversity")).status_code == 403
    assert client_for(bob).get(url("section_history", written, "adversity")).status_code == 403
    # The partner with a whole-assessment consent does not see it either.
    partner_page = client_for(partner).get(url("assessment", written)).content.decode()
    # They see that a section is withheld – not which one, nor that it is a restriction.
    assert TRAUMA not in partner_page and "1 section is withheld from you." in partner_page
    assert "restricted" not in partner_page.lower()
    assert "Experiences of adversity and trauma" not in partner_page
    # Nor in a comparison of versions.
    assert TRAUMA not in client_for(bob).get(url("compare", written, **{"from": 0, "to": 3})).content.decode()


def test_only_a_named_person_lifts_a_restriction(client_for, alice, bob, manager, written):
    CareTeamFactory(child=written, user=bob, role="practitioner")
    restrict_section(by=alice, child=written, section="adversity", allowed=[manager], reason="Disclosure")
    assert client_for(bob).post(url("section_restrict", written, "adversity"), {"action": "lift"}).status_code == 403
    assert SectionRestriction.objects.filter(lifted_at__isnull=True).exists()
    response = client_for(manager).post(url("section_restrict", written, "adversity"), {"action": "lift"})
    assert response.status_code == 302
    assert not SectionRestriction.objects.filter(lifted_at__isnull=True).exists()
    assert TRAUMA in client_for(bob).get(url("assessment", written)).content.decode()


# --- Two people saving the same section ----------------------------------------------------------


def test_a_stale_save_is_refused_with_both_texts_and_nothing_lost(client_for, alice, manager, written):
    alice_client, manager_client = client_for(alice), client_for(manager)
    # Both open the edit page on version 1.
    for client in (alice_client, manager_client):
        assert 'name="based_on" value="1"' in client.get(url("section_edit", written, "strengths")).content.decode()
    alice_text = "Good at climbing, drawing and looking after her dog."
    manager_text = "Good at climbing; a talented artist at school."
    assert alice_client.post(url("section_edit", written, "strengths"), edit_post(alice_text, 1)).status_code == 302

    conflict = manager_client.post(url("section_edit", written, "strengths"), edit_post(manager_text, 1))
    body = conflict.content.decode()
    assert conflict.status_code == 200
    assert "govuk-error-summary" in body and "Someone else saved this section while you were editing" in body
    assert alice_text in body  # their saved version, with who and when
    assert "By Alice Ymarferydd, South Service, on" in body
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(manager_text), body)  # the user's own text kept
    assert 'name="based_on" value="2"' in body  # a deliberate second save reconciles
    assert "<ins>" in body and "<del>" in body  # the differences between the two
    assert SectionVersion.objects.filter(section="strengths").count() == 2

    # The manager reads both and saves deliberately: a new version, nothing overwritten.
    merged = "Good at climbing, drawing and looking after her dog; a talented artist at school."
    assert manager_client.post(url("section_edit", written, "strengths"), edit_post(merged, 2)).status_code == 302
    texts = list(SectionVersion.objects.filter(section="strengths").order_by("number").values_list("text", flat=True))
    assert texts == ["Good at climbing and drawing.", alice_text, merged]


# --- Versions ------------------------------------------------------------------------------------


def test_history_lists_every_version_of_a_section(client_for, alice, manager, written):
    save_section(
        by=manager, child=written, section="strengths", text="Good at climbing, drawing and football.", based_on=1
    )
    body = client_for(alice).get(url("section_history", written, "strengths")).content.decode()
    assert "Version 2" in body and "Version 1" in body
    assert body.index("Version 2") < body.index("Version 1")  # newest first
    assert "Good at climbing and drawing." in body and "Mair Rheolwr, South Service" in body


def test_compare_shows_the_words_inserted_and_deleted_and_who(client_for, alice, manager, written):
    save_section(by=manager, child=written, section="strengths", text="Good at climbing and painting.", based_on=1)
    client = client_for(alice)
    body = client.get(url("compare", written)).content.decode()  # default: the previous version against the latest
    assert "Changes from version 3 to version 4" in body
    assert re.search(r"<del>.*?drawing\.\s*</del>", body, re.S)
    assert re.search(r"<ins>.*?painting\.\s*</ins>", body, re.S)
    assert "By Mair Rheolwr, South Service, on" in body
    assert "Strengths and interests" in body and "My story and what matters to me" not in body
    everything = client.get(url("compare", written, **{"from": 0, "to": 4})).content.decode()
    assert "My story and what matters to me" in everything and "Strengths and interests" in everything
    event = last_event(actor=alice, object_type="assessments.assessment", action="view")
    assert event.detail["page"] == "compare" and event.detail["compared"] == [0, 4]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "two", "to": "3"}, "Enter the version as a whole number"),
        ({"from": "1", "to": "9"}, "Enter a version from 0 to 3"),
        ({"from": "-1", "to": "3"}, "Enter a version from 0 to 3"),
        ({"from": "3", "to": "2"}, "The earlier version must be a smaller number"),
        ({"from": "2"}, "Enter a version number"),
    ],
)
def test_compare_explains_bad_choices(client_for, alice, written, query, message):
    response = client_for(alice).get(url("compare", written, **query))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert "<ins>" not in body


# --- Who has seen my story -------------------------------------------------------------------------


def test_who_has_seen_tells_a_partners_read_in_plain_words(client_for, alice, partner, manager, written):
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story"])
    client_for(partner).get(url("assessment", written))
    save_section(by=manager, child=written, section="strengths", text="Good at climbing and painting.", based_on=1)
    body = client_for(alice).get(url("seen", written)).content.decode()
    today = timezone.localdate()
    assert f"On {today.day} {today:%B} {today.year}, Pat Partner ({partner.organisation}) read your story." in body
    assert "You agreed to share it with them." in body
    assert "Mair Rheolwr (South Service) changed the part about “Strengths and interests”." in body
    assert "Alice Ymarferydd (South Service) wrote the part about “My story and what matters to me”." in body
    assert "They work with you as part of your care team." in body
    assert TRAUMA not in body and STORY not in body  # what happened, never the story itself
    # Newest first.
    assert body.index("changed the part about") < body.index("Pat Partner")
    assert last_event(actor=alice, action="view", child_id=written.pk).detail["page"] == "seen"


def test_who_has_seen_is_for_those_who_see_the_whole_record(client_for, partner, manager, bob, written):
    give_consent(written, recorded_by=manager, organisation=partner.organisation, items=["assessment"])
    assert client_for(partner).get(url("seen", written)).status_code == 404
    assert client_for(bob).get(url("seen", written)).status_code == 404  # same service, not in the care team
    assert client_for(manager).get(url("seen", written)).status_code == 200


# --- Shared with me ------------------------------------------------------------------------------


def test_shared_with_me_lists_what_is_shared_and_until_when(client_for, partner, alice, manager, written):
    client = client_for(partner)
    assert (
        "Nothing is shared with you at the moment."
        in client.get(reverse("assessments:shared_with_me")).content.decode()
    )
    give_consent(written, recorded_by=manager, organisation=partner.organisation, sections=["my_story", "health"])
    response = client.get(reverse("assessments:shared_with_me"))
    body = response.content.decode()
    assert written.display_name in body
    assert "My story and what matters to me" in body and "Health" in body and "Strengths and interests" not in body
    assert "For Joint assessment and care planning" in body and "Until it is withdrawn." in body
    assert url("assessment", written) in body
    assert "Shared with me" in body  # in the navigation for partners
    assert last_event(actor=partner, action="list").detail["page"] == "shared_with_me"
    # The care team sees the child on its own list, not here.
    assert written.display_name not in client_for(alice).get(reverse("assessments:shared_with_me")).content.decode()


def test_shared_with_me_says_something_is_withheld_not_that_it_is_restricted(
    client_for, partner, alice, manager, written
):
    give_consent(written, recorded_by=manager, organisation=partner.organisation, items=["assessment"])
    restrict_section(by=alice, child=written, section="adversity", allowed=[], reason="A disclosure")
    body = client_for(partner).get(reverse("assessments:shared_with_me")).content.decode()
    assert "Some parts are withheld and are not shared." in body
    assert "restricted" not in body.lower()


# --- Strangers and commissioners -------------------------------------------------------------------


def test_strangers_get_404_everywhere_and_save_nothing(client_for, charlie, written):
    client = client_for(charlie)
    for name, section in [
        ("assessment", None),
        ("compare", None),
        ("seen", None),
        ("section_edit", "my_story"),
        ("section_history", "my_story"),
        ("section_restrict", "my_story"),
    ]:
        assert client.get(url(name, written, section)).status_code == 404, name
    assert client.post(url("section_edit", written, "my_story"), edit_post("Stranger's words", 1)).status_code == 404
    assert not SectionVersion.objects.filter(text="Stranger's words").exists()
    body = client.get(reverse("assessments:shared_with_me")).content.decode()
    assert written.family_name not in body


def test_commissioners_get_nothing(client_for, commissioner, manager, written):
    give_consent(written, recorded_by=manager, organisation=commissioner.organisation, items=["assessment"])
    client = client_for(commissioner)
    assert client.get(url("assessment", written)).status_code == 404
    assert client.get(reverse("assessments:shared_with_me")).status_code == 403


# --- Every page is audited -------------------------------------------------------------------------


def test_every_page_is_audited(client_for, alice, written):
    client = client_for(alice)
    pages = [
        (url("assessment", written), "assessments.assessment"),
        (url("section_edit", written, "my_story"), "assessments.assessment"),
        (url("section_history", written, "my_story"), "assessments.assessment"),
        (url("compare", written), "assessments.assessment"),
        (url("section_restrict", written, "my_story"), "people.child"),
        (url("seen", written), "people.child"),
    ]
    for address, object_type in pages:
        before = AuditEvent.objects.count()
        assert client.get(address).status_code == 200, address
        event = last_event()
        assert AuditEvent.objects.count() == before + 1, address
        assert (event.actor, event.action, event.child_id, event.object_type) == (
            alice,
            "view",
            written.pk,
            object_type,
        ), address
    before = AuditEvent.objects.count()
    client.get(reverse("assessments:shared_with_me"))
    assert AuditEvent.objects.count() == before + 1 and last_event().action == "list"


def test_a_partner_contributing_by_consent_cannot_restrict_a_section(client_for, alice, partner, child):
    """Restricting decides who in the care team reads what: the lead practitioner's call, so a
    partner who may write a section by consent is neither offered nor allowed it."""
    give_consent(child, recorded_by=alice, organisation=partner.organisation, sections=["health"])
    client = client_for(partner)
    page = client.get(reverse("assessments:assessment", args=[child.pk])).content.decode()
    assert reverse("assessments:section_edit", args=[child.pk, "health"]) in page
    assert reverse("assessments:section_restrict", args=[child.pk, "health"]) not in page
    assert client.get(reverse("assessments:section_restrict", args=[child.pk, "health"])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.restrict_section(by=partner, child=child, section="health", allowed=[partner], reason="Disclosure")


def test_a_section_carries_its_language_and_its_byline_is_in_the_readers(client_for, alice, written):
    """WCAG 3.1.2: Welsh written from the English screens is marked lang="cy"; the byline names
    the author's organisation in the reader's language, whichever language it was written in."""
    from django.utils import translation

    from accounts.models import Profession

    alice.profession = Profession.values[0]
    alice.save()
    client = client_for(alice)
    form = client.get(url("section_edit", written, "health")).content.decode()
    assert 'name="text_language" type="radio" value="en" checked' in form
    post = {**edit_post("Mae hi'n cysgu'n dda erbyn hyn.", 0), "text_language": "cy"}
    assert client.post(url("section_edit", written, "health"), post).status_code == 302
    version = SectionVersion.objects.get(section="health")
    assert version.text_language == "cy" and version.author_organisation_ref_id == alice.organisation_id
    english = client.get(url("assessment", written)).content.decode()
    assert '<div class="govuk-body" lang="cy"><p>Mae hi&#x27;n cysgu&#x27;n dda' in english
    with translation.override("cy"):
        profession_cy = str(Profession(alice.profession).label)
        welsh = client.get(url("assessment", written)).content.decode()
    assert f"Alice Ymarferydd, {profession_cy}, Gwasanaeth y De" in welsh and "South Service" not in welsh
    # A version from before the language was recorded is not marked.
    assert '<div class="govuk-body"><p>I like climbing' in english


def test_the_reason_for_restricting_is_marked_with_its_language(client_for, alice, manager, written):
    """WCAG 3.1.2: a reason written in Welsh on the English form is shown ``lang="cy"``; an old
    restriction (undetermined) has no lang attribute."""
    client_for(alice).post(
        url("section_restrict", written, "adversity"),
        {"allowed": [manager.pk], "reason": "Datgeliad: gweithwyr penodol yn unig", "text_language": "cy"},
    )
    restriction = SectionRestriction.objects.get(lifted_at__isnull=True)
    assert restriction.text_language == "cy"
    page = client_for(alice).get(url("section_restrict", written, "adversity")).content.decode()
    assert '<dd class="govuk-summary-list__value" lang="cy">Datgeliad: gweithwyr penodol yn unig</dd>' in page
    SectionRestriction.objects.filter(pk=restriction.pk).update(text_language="")
    page = client_for(alice).get(url("section_restrict", written, "adversity")).content.decode()
    assert '<dd class="govuk-summary-list__value">Datgeliad: gweithwyr penodol yn unig</dd>' in page
