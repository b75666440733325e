"""My consents and who has seen my story, in the young person's own space."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.tests.factories import UserFactory
from assessments.tests.builders import approve_safeguarding, give_consent
from audit.models import Action, AuditEvent, Route
from audit.services import record
from consent.models import ConsentDecision
from consent.services import OwnWithdrawal, young_person_withdrawal
from myspace import seen
from myspace.models import CareTeamNotice, NoticeKind, SpaceAccount, WithheldLogEntry
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def young_person(child, alice):
    alice.email = "alice@example.org"
    alice.save()
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.fixture
def school():
    return Organisation.objects.get(code="7A4")


def own_consent(child, alice, organisation, **extra):
    """The young person's own decision (13 in the fixture: judged competent, recently)."""
    values = {"competence_judgement": "Understands what is shared and why.", "sections": ("health",)}
    values.update(extra)
    return give_consent(child, recorded_by=alice, organisation=organisation, **values)


# --- My consents ------------------------------------------------------------------------------


def test_the_page_says_what_with_whom_why_and_since_when(client_for, young_person, child, alice, school):
    own_consent(child, alice, school)
    response = client_for(young_person).get(reverse("myspace:consents"))
    body = response.content.decode()
    assert response.status_code == 200
    assert str(school) in body and "Joint assessment and care planning" in body
    assert (TODAY() - datetime.timedelta(days=1)).strftime("%Y") in body
    assert reverse("myspace:stop_sharing", args=[ConsentDecision.objects.get().pk]) in body
    title = body.split("<title>")[1].split("</title>")[0]
    assert child.given_name not in title and child.family_name not in title
    event = AuditEvent.objects.filter(actor=young_person, detail__page="myspace:consents").get()
    assert event.route == Route.SELF


def test_the_list_takes_the_same_queries_for_one_consent_or_many(client_for, young_person, child, alice, school):
    client = client_for(young_person)
    own_consent(child, alice, school)
    client.get(reverse("myspace:consents"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("myspace:consents"))
    for _ in range(4):
        own_consent(child, alice, school)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("myspace:consents"))
    assert len(five) == len(one)


def test_withdrawal_takes_effect_at_once_and_the_partner_loses_access_on_the_next_request(
    client_for, young_person, child, alice, partner, django_capture_on_commit_callbacks, mailoutbox
):
    consent = own_consent(child, alice, partner.organisation)
    partner_client = client_for(partner)
    assessment = reverse("assessments:assessment", args=[child.pk])
    assert partner_client.get(assessment).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(young_person).post(
            reverse("myspace:stop_sharing", args=[consent.pk]), {"words": "I changed my mind."}
        )
    assert response.status_code == 302
    assert partner_client.get(assessment).status_code == 404

    consent.refresh_from_db()
    assert consent.withdrawn_by == young_person and consent.withdrawal_words == "I changed my mind."
    # Through the consent service: audited as a withdrawal, by the route self.
    event = AuditEvent.objects.get(object_type="consent.consentdecision", action=Action.UPDATE)
    assert event.detail["withdrawn"] is True and event.route == Route.SELF
    # The practitioner is told at once: a notice, and an email that names no one.
    notice = CareTeamNotice.objects.get()
    assert (notice.kind, notice.consent, notice.words) == (NoticeKind.WITHDRAWN, consent, "I changed my mind.")
    assert [m.to for m in mailoutbox] == [[alice.email]]
    assert child.given_name not in mailoutbox[0].body + mailoutbox[0].subject
    assert child.family_name not in mailoutbox[0].body + mailoutbox[0].subject


def test_the_practitioner_sees_the_notice_with_the_safeguarding_route_and_marks_it_done(
    client_for, young_person, child, alice, school
):
    consent = own_consent(child, alice, school)
    client_for(young_person).post(reverse("myspace:stop_sharing", args=[consent.pk]), {"words": ""})
    home = client_for(alice).get(reverse("core:home")).content.decode()
    warning = "A young person you work with withdrew a consent or asked you something in their own space."
    assert warning in home and reverse("space_access:waiting") in home
    waiting = client_for(alice).get(reverse("space_access:waiting")).content.decode()
    assert reverse("space_access:inbox", args=[child.pk]) in waiting
    # The older address of the notices still works: it leads to the one inbox page.
    page = client_for(alice).get(reverse("space_access:notices", args=[child.pk]), follow=True).content.decode()
    assert "They withdrew their consent" in page
    assert reverse("consent:safeguarding_create", args=[child.pk]) in page
    notice = CareTeamNotice.objects.get()
    client_for(alice).post(reverse("space_access:notice_done", args=[child.pk, notice.pk]))
    notice.refresh_from_db()
    assert notice.read_by == alice
    assert warning not in client_for(alice).get(reverse("core:home")).content.decode()


def test_a_decision_that_was_not_theirs_becomes_a_request(client_for, young_person, child, alice, partner):
    consent = own_consent(child, alice, partner.organisation, decider="parent", decider_name="Mam")
    page = client_for(young_person).get(reverse("myspace:consents")).content.decode()
    assert "Ask your worker to stop sharing" in page
    response = client_for(young_person).post(reverse("myspace:stop_sharing", args=[consent.pk]), {"words": "Please"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is None  # still in force: the practitioner decides
    assert client_for(partner).get(reverse("assessments:assessment", args=[child.pk])).status_code == 200
    notice = CareTeamNotice.objects.get()
    assert notice.kind == NoticeKind.WITHDRAWAL_REQUEST and notice.consent == consent
    assert (
        "You asked your worker to stop this"
        in client_for(young_person).get(reverse("myspace:consents")).content.decode()
    )
    assert (
        "They ask to stop sharing"
        in client_for(alice).get(reverse("space_access:inbox", args=[child.pk])).content.decode()
    )


def test_an_old_competence_judgement_becomes_a_request(client_for, young_person, child, alice, school, settings):
    settings.NYTH_SPACE_COMPETENCE_MAX_AGE_DAYS = 30
    old = own_consent(child, alice, school, given_on=TODAY() - datetime.timedelta(days=31))
    fresh = own_consent(child, alice, school, given_on=TODAY() - datetime.timedelta(days=30))
    assert young_person_withdrawal(young_person, old) == OwnWithdrawal.COMPETENCE_TOO_OLD
    assert young_person_withdrawal(young_person, fresh) == OwnWithdrawal.ALLOWED
    client_for(young_person).post(reverse("myspace:stop_sharing", args=[old.pk]))
    old.refresh_from_db()
    assert old.withdrawn_at is None
    assert CareTeamNotice.objects.get().kind == NoticeKind.WITHDRAWAL_REQUEST


def test_at_16_their_own_decision_is_theirs_to_withdraw_whatever_its_age(young_person, child, alice, school):
    child.date_of_birth = TODAY().replace(year=TODAY().year - 17)
    child.save()
    consent = own_consent(
        child, alice, school, competence_judgement="", given_on=TODAY() - datetime.timedelta(days=900)
    )
    assert young_person_withdrawal(young_person, consent) == OwnWithdrawal.ALLOWED


def test_the_service_refuses_a_young_person_a_withdrawal_not_theirs(young_person, child, alice, school, south):
    from consent.services import withdraw_consent

    parents = own_consent(child, alice, school, decider="parent", decider_name="Mam")
    with pytest.raises(PermissionDenied):
        withdraw_consent(by=young_person, consent=parents)
    other = own_consent(ChildFactory(service=south), alice, school)
    assert young_person_withdrawal(young_person, other) == OwnWithdrawal.NO
    with pytest.raises(PermissionDenied):
        withdraw_consent(by=young_person, consent=other)


def test_another_young_persons_consent_is_404(client_for, young_person, alice, school, south):
    other = own_consent(ChildFactory(service=south), alice, school)
    assert client_for(young_person).get(reverse("myspace:stop_sharing", args=[other.pk])).status_code == 404
    assert client_for(young_person).post(reverse("myspace:stop_sharing", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


def test_too_many_words_are_explained_and_nothing_is_withdrawn(client_for, young_person, child, alice, school):
    consent = own_consent(child, alice, school)
    response = client_for(young_person).post(reverse("myspace:stop_sharing", args=[consent.pk]), {"words": "x" * 1501})
    assert response.status_code == 200
    assert "Write 1,500 characters or fewer" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None and not CareTeamNotice.objects.exists()


def test_my_consents_in_welsh(client_for, young_person, child, alice, school):
    own_consent(child, alice, school)
    body = client_for(young_person).get("/cy/my/consents/").content.decode()
    assert "Beth wnes i gytuno i'w rannu" in body


# --- Who has seen my story --------------------------------------------------------------------


def _read(actor, child, route="care_team"):
    return record(
        actor=actor,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        detail={"route": route, "page": "assessment"},
        route=Route.UI,
    )


def _read_assessment(actor, child, route="care_team"):
    from assessments.models import Assessment

    assessment, _created = Assessment.objects.get_or_create(child=child)
    return record(
        actor=actor,
        action=Action.VIEW,
        obj=assessment,
        child_id=child.pk,
        detail={"route": route},
        route=Route.UI,
    )


def test_the_log_is_in_their_words_and_audited(client_for, young_person, child, alice):
    _read_assessment(alice, child)
    response = client_for(young_person).get(reverse("myspace:seen"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alice Ymarferydd" in body and "read your story" in body
    assert "They work with you as part of your care team." in body
    assert AuditEvent.objects.filter(actor=young_person, detail__page="myspace:seen", route=Route.SELF).exists()


def test_no_safeguarding_share_is_shown_to_them(client_for, young_person, child, alice, manager, partner):
    share = approve_safeguarding(
        child, organisation=partner.organisation, requested_by=alice, decided_by=manager, items=["assessment"]
    )
    record(actor=manager, action=Action.SHARE, obj=share, child_id=child.pk, detail={}, route=Route.UI)
    _read_assessment(partner, child, route="safeguarding")
    # A copy of the assessment made under it, and the care team opening that copy.
    from assessments.models import AssessmentShare

    copy = AssessmentShare.objects.create(
        reference="S-SAFE-1",
        child=child,
        recipient_organisation=partner.organisation,
        purpose="joint_assessment",
        safeguarding=share,
        shared_by=manager,
    )
    record(
        actor=manager,
        action=Action.SHARE,
        obj=copy,
        child_id=child.pk,
        detail={"basis": "safeguarding"},
        route=Route.UI,
    )
    record(
        actor=alice,
        action=Action.VIEW,
        obj=copy,
        child_id=child.pk,
        detail={"side": "sharer", "route": "care_team"},
        route=Route.UI,
    )
    _read_assessment(alice, child)
    body = client_for(young_person).get(reverse("myspace:seen")).content.decode()
    assert "Alice Ymarferydd" in body
    assert "Pat Partner" not in body and "shared parts of your story" not in body
    assert "Mair Rheolwr" not in body and "copy of your story" not in body and "shared your story" not in body
    assert "worried about your safety" not in body


def test_a_withheld_entry_is_hidden_until_its_review_date(client_for, young_person, child, alice, manager):
    event = _read_assessment(alice, child)
    line = seen.line_for(manager, child, event.pk, staff=True)
    assert line is not None
    seen.withhold(
        by=manager,
        child=child,
        line=line,
        reason="Telling them now could put them at risk.",
        review_on=TODAY() + datetime.timedelta(days=7),
    )
    assert "Alice Ymarferydd" not in client_for(young_person).get(reverse("myspace:seen")).content.decode()
    assert AuditEvent.objects.filter(actor=manager, detail__withheld_from_young_person=True).exists()
    # On the review date it shows again, unless renewed.
    WithheldLogEntry.objects.update(review_on=TODAY())
    assert "Alice Ymarferydd" in client_for(young_person).get(reverse("myspace:seen")).content.decode()


def test_a_manager_withholds_through_the_staff_page_and_bad_input_is_explained(client_for, child, alice, manager):
    event = _read_assessment(alice, child)
    url = reverse("space_access:withhold", args=[child.pk, event.pk])
    assert client_for(manager).get(reverse("space_access:log", args=[child.pk])).status_code == 200
    past = TODAY() - datetime.timedelta(days=1)
    bad = client_for(manager).post(
        url, {"reason": "Risk", "review_on_day": past.day, "review_on_month": past.month, "review_on_year": past.year}
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "The review date must be in the future" in body
    assert "Say why they should not see this yet" in body and not WithheldLogEntry.objects.exists()
    soon = TODAY() + datetime.timedelta(days=14)
    good = client_for(manager).post(
        url,
        {
            "reason": "Police are still investigating.",
            "review_on_day": soon.day,
            "review_on_month": soon.month,
            "review_on_year": soon.year,
        },
    )
    assert good.status_code == 302
    assert WithheldLogEntry.objects.get().review_on == soon


def test_only_a_manager_may_withhold(client_for, child, alice):
    event = _read_assessment(alice, child)
    assert client_for(alice).get(reverse("space_access:log", args=[child.pk])).status_code == 403
    assert client_for(alice).get(reverse("space_access:withhold", args=[child.pk, event.pk])).status_code == 403


def test_why_did_this_person_look_asks_the_practitioner(
    client_for, young_person, child, alice, django_capture_on_commit_callbacks, mailoutbox
):
    event = _read_assessment(alice, child)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(young_person).post(reverse("myspace:ask_why", args=[event.pk]), {"words": "Why?"})
    assert response.status_code == 302
    notice = CareTeamNotice.objects.get()
    assert notice.kind == NoticeKind.WHY_LOOK and "Alice Ymarferydd" in notice.about
    assert len(mailoutbox) == 1 and "Alice" not in mailoutbox[0].body
    page = client_for(alice).get(reverse("space_access:inbox", args=[child.pk])).content.decode()
    assert "They ask why someone looked at their story" in page and "Why?" in page


def test_they_cannot_ask_about_a_hidden_entry(client_for, young_person, child, alice, manager, partner):
    hidden = _read_assessment(partner, child, route="safeguarding")
    assert client_for(young_person).get(reverse("myspace:ask_why", args=[hidden.pk])).status_code == 404


def test_the_log_takes_the_same_queries_for_few_or_many_entries(client_for, young_person, child, alice, bob):
    client = client_for(young_person)
    _read_assessment(alice, child)
    client.get(reverse("myspace:seen"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("myspace:seen"))
    for _ in range(5):
        _read_assessment(bob, child)
        _read_assessment(alice, child, route="consent")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("myspace:seen"))
    assert len(many) == len(few)


def test_the_home_page_links_to_both_pages(client_for, young_person):
    body = client_for(young_person).get(reverse("myspace:home")).content.decode()
    assert "What you can do here" in body
    assert reverse("myspace:consents") in body and reverse("myspace:seen") in body


def test_a_partner_never_opens_the_notices_or_the_log(client_for, partner, child, alice):
    own_consent(child, alice, partner.organisation)
    assert client_for(partner).get(reverse("space_access:notices", args=[child.pk])).status_code == 404
    assert client_for(partner).get(reverse("space_access:inbox", args=[child.pk])).status_code == 404
    assert client_for(partner).get(reverse("space_access:log", args=[child.pk])).status_code == 404
