"""The young person's voice: how I'm feeling (every check-in on the care team's list, read within
working days), the honest alert (in hours, out of hours with a rota, no cover; escalation),
before my review (on the plan review form, read), and drafts kept across the idle sign-out."""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from myspace import voice
from myspace.models import Alert, CheckIn, Cover, Draft, OnCallShift, ReviewNote, SpaceAccount
from people.tests.factories import CareTeamFactory, ChildFactory

LONDON = ZoneInfo("Europe/London")
# Tuesday 8 December 2026, 11:00: the service is open (mon-fri 09:00-17:00).
IN_HOURS = datetime.datetime(2026, 12, 8, 11, 0, tzinfo=LONDON)
# Saturday 5 December 2026, 23:00: closed.
SATURDAY_NIGHT = datetime.datetime(2026, 12, 5, 23, 0, tzinfo=LONDON)


@pytest.fixture
def young_person(child, alice):
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.fixture
def staff_emails(alice, duty, manager):
    for user, address in (
        (alice, "alice@example.invalid"),
        (duty, "dewi@example.invalid"),
        (manager, "mair@example.invalid"),
    ):
        user.email = address
        user.save()


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


# --- How I'm feeling -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_in_offers_five_feelings_each_with_a_word(client_for, young_person):
    body = _text(client_for(young_person).get(reverse("myspace:checkin")))
    for word in ("Very bad", "Not good", "OK", "Good", "Very good"):
        assert f">{word}<" in body.replace("> ", ">").replace(" <", "<"), word
    assert body.count('name="feeling" type="radio"') == 5
    title = body.split("<title>")[1].split("</title>")[0]
    assert "Siôn" not in title and "Prydderch" not in title


@pytest.mark.django_db
@freeze_time(IN_HOURS)
def test_a_check_in_is_saved_audited_as_self_and_says_when_it_will_be_read(client_for, young_person, child):
    client = client_for(young_person)
    response = client.post(
        reverse("myspace:checkin"), {"feeling": "2", "note": "School was hard.", "text_language": "en"}, follow=True
    )
    item = CheckIn.objects.get()
    assert (item.child, item.feeling, item.note, item.text_language) == (child, 2, "School was hard.", "en")
    # Two Welsh working days after Tuesday 8 December: Thursday 10 December.
    assert item.read_by_date == datetime.date(2026, 12, 10)
    assert "Your worker will read this by Thursday 10 December" in _text(response)
    event = AuditEvent.objects.get(action=Action.CREATE, child_id=child.pk)
    assert (event.actor_id, event.route) == (young_person.pk, Route.SELF)


@pytest.mark.django_db
def test_the_read_by_date_skips_welsh_bank_holidays():
    # Thursday 24 December 2026: Christmas Day (Fri) and Boxing Day (Sat, substitute Mon 28) are not working days.
    made = datetime.datetime(2026, 12, 24, 12, 0, tzinfo=LONDON)
    assert voice.read_by_date(made) == datetime.date(2026, 12, 30)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 10_000, "Your note must be 2000 characters or fewer"),
        ("I feel <b>bad</b>", "Remove the HTML or script"),
    ],
)
def test_a_long_or_marked_up_note_is_refused_kept_and_nothing_is_saved(client_for, young_person, note, message):
    response = client_for(young_person).post(
        reverse("myspace:checkin"), {"feeling": "1", "note": note, "text_language": "en"}
    )
    assert response.status_code == 200
    body = _text(response)
    assert message in body
    assert "govuk-error-message" in body and "govuk-error-summary" in body
    assert note[:50] in body  # what they typed is kept
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


@pytest.mark.django_db
def test_a_check_in_without_a_feeling_is_refused(client_for, young_person):
    response = client_for(young_person).post(reverse("myspace:checkin"), {"note": "hello"})
    assert "Choose how you are feeling" in _text(response)
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
@freeze_time(IN_HOURS)
def test_every_check_in_lands_on_the_care_teams_list_and_is_marked_read(client_for, young_person, child, alice):
    voice.check_in(user=young_person, child=child, feeling=4, note="", text_language="en")
    staff = client_for(alice)
    home = _text(staff.get(reverse("core:home")))
    assert "1 thing from a young person's own space is waiting to be read." in home
    waiting = _text(staff.get(reverse("space_access:waiting")))
    assert child.display_name in waiting and "read it by 10 December" in waiting
    listed = AuditEvent.objects.filter(actor_id=alice.pk, action=Action.LIST, detail__page="space_access:waiting").get()
    assert listed.detail["children"] == [child.pk]
    page = _text(staff.get(reverse("space_access:checkins", args=[child.pk]), follow=True))
    assert "Check-in: Good" in page and "Read it by 10 December 2026" in page
    item = CheckIn.objects.get()
    response = staff.post(reverse("space_access:checkin_read", args=[child.pk, item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.read_by == alice and item.read_at is not None
    assert "waiting to be read" not in _text(staff.get(reverse("core:home")))
    event = AuditEvent.objects.get(action=Action.REVIEW, child_id=child.pk)
    assert (event.actor_id, event.route) == (alice.pk, Route.UI)


@pytest.mark.django_db
def test_the_care_teams_list_is_out_of_scope_for_a_stranger(client_for, young_person, child, charlie):
    item = voice.check_in(user=young_person, child=child, feeling=3, note="", text_language="en")
    stranger = client_for(charlie)
    assert stranger.get(reverse("space_access:checkins", args=[child.pk])).status_code == 404
    assert stranger.post(reverse("space_access:checkin_read", args=[child.pk, item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


@pytest.mark.django_db
def test_the_home_panel_and_the_waiting_list_cost_the_same_queries_for_one_or_many_young_people(
    client_for, alice, south
):
    def queries() -> int:
        client = client_for(alice)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("core:home"))
            client.get(reverse("space_access:waiting"))
        return len(captured)

    def add_young_person():
        kid = ChildFactory(service=south)
        CareTeamFactory(child=kid, user=alice, role="lead")
        user = UserFactory(organisation=None, role=Role.YOUNG_PERSON)
        SpaceAccount.objects.create(user=user, child=kid, created_by=alice)
        voice.check_in(user=user, child=kid, feeling=2, note="", text_language="en")
        voice.raise_alert(user=user, child=kid, kind="talk")

    add_young_person()
    one = queries()
    for _ in range(3):
        add_young_person()
    assert queries() == one


# --- The honest alert -----------------------------------------------------------------------------


def _raise(client, kind="not_safe"):
    return client.post(reverse("myspace:raise_alert"), {"kind": kind}, follow=True)


@pytest.mark.django_db
@freeze_time(IN_HOURS)
def test_in_hours_the_alert_goes_to_the_lead_and_duty_and_says_when(
    client_for, young_person, child, alice, duty, staff_emails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _raise(client_for(young_person))
    body = _text(response).split("<main")[1]
    # 999 and the help-now numbers first, then when it will be seen.
    assert body.index('href="tel:999"') < body.index("Childline") < body.index("Your message was sent")
    assert (
        "Your service is open now. Your worker or the duty worker will see it by 12:00 on Tuesday 8 December." in body
    )
    alert = Alert.objects.get()
    assert (alert.cover, alert.kind, alert.watched_from) == (Cover.IN_HOURS, "not_safe", IN_HOURS)
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.invalid", "dewi@example.invalid"]
    for email in mail.outbox:  # names no one; says where to look
        assert django_settings.NYTH_SITE_URL + "/en/" in email.body
        for detail in ("Siôn", "Prydderch", "safe"):
            assert detail not in email.subject + email.body
    event = AuditEvent.objects.get(action=Action.CREATE, child_id=child.pk)
    assert (event.actor_id, event.route) == (young_person.pk, Route.SELF)
    for worker in (alice, duty):
        worker_client = client_for(worker)
        home = _text(worker_client.get(reverse("core:home")))
        assert "1 alert from a young person's own space is waiting to be picked up." in home
        assert child.display_name in _text(worker_client.get(reverse("space_access:waiting")))


@pytest.mark.django_db
@freeze_time(SATURDAY_NIGHT)
def test_out_of_hours_with_a_rota_it_goes_to_the_worker_on_call_now(
    client_for, young_person, child, duty, south, staff_emails, django_capture_on_commit_callbacks
):
    other_duty = UserFactory(organisation=south, role=Role.DUTY_WORKER, email="other@example.invalid")
    OnCallShift.objects.create(
        service=south,
        user=duty,
        starts_at=SATURDAY_NIGHT - datetime.timedelta(hours=6),
        ends_at=SATURDAY_NIGHT + datetime.timedelta(hours=10),
    )
    client = client_for(young_person)
    before = _text(client.get(reverse("myspace:help_me")))
    assert "a worker is on call. It goes to them straight away." in before
    with django_capture_on_commit_callbacks(execute=True):
        body = _text(_raise(client, "talk"))
    assert "Your service is closed now, but a worker is on call. It goes to them straight away." in body
    alert = Alert.objects.get()
    assert (alert.cover, alert.on_call, alert.watched_from) == (Cover.ON_CALL, duty, SATURDAY_NIGHT)
    assert "dewi@example.invalid" in [m.to[0] for m in mail.outbox]
    assert other_duty.email in [m.to[0] for m in mail.outbox]  # the service's duty workers too


@pytest.mark.django_db
@freeze_time(SATURDAY_NIGHT)
def test_with_no_cover_it_says_plainly_nobody_is_watching_and_when_it_will_be_seen(
    client_for, young_person, child, settings
):
    settings.NYTH_SPACE_EMERGENCY_DUTY_TEAM_PHONE = "029 2087 3917"
    client = client_for(young_person)
    before = _text(client.get(reverse("myspace:help_me"))).split("<main")[1]
    assert before.index('href="tel:999"') < before.index("Nobody at your service is watching right now.")
    body = _text(_raise(client)).split("<main")[1]
    assert body.index('href="tel:999"') < body.index("Nobody at your service is watching right now.")
    # Opens Monday 09:00; seen within the hour.
    assert "Your worker will see it by 10:00 on Monday 7 December." in body
    assert "029 2087 3917" in body
    alert = Alert.objects.get()
    assert alert.cover == Cover.NONE
    assert alert.watched_from == datetime.datetime(2026, 12, 7, 9, 0, tzinfo=LONDON)


@pytest.mark.django_db
def test_a_bank_holiday_is_not_covered():
    christmas = datetime.datetime(2026, 12, 25, 11, 0, tzinfo=LONDON)
    assert not voice.in_cover(christmas)
    # Boxing Day falls on a Saturday, so Monday 28 December is the substitute bank holiday.
    assert voice.next_cover_start(christmas) == datetime.datetime(2026, 12, 29, 9, 0, tzinfo=LONDON)


@pytest.mark.django_db
def test_cover_hours_that_cannot_be_read_are_an_error():
    with pytest.raises(ValueError):
        voice.parse_cover_hours("weekdays 9 to 5")
    assert voice.parse_cover_hours("sat 10:00-14:00").weekdays == frozenset({5})


@pytest.mark.django_db
def test_a_made_up_kind_raises_nothing(client_for, young_person):
    response = client_for(young_person).post(reverse("myspace:raise_alert"), {"kind": "<script>"})
    assert response.status_code == 302 and response["Location"] == reverse("myspace:help_me")
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_picking_up_is_recorded_who_when_what(client_for, young_person, child, duty):
    with freeze_time(IN_HOURS):
        alert, _cover = voice.raise_alert(user=young_person, child=child, kind="not_safe")
    url = reverse("space_access:alert", args=[child.pk, alert.pk])
    with freeze_time(IN_HOURS + datetime.timedelta(minutes=12)):
        client = client_for(duty)
        refused = client.post(url, {"what_was_done": "", "text_language": "en"})
        assert "Say what was done" in _text(refused)
        done = client.post(url, {"what_was_done": "Rang Siôn back; safe at home.", "text_language": "en"})
        assert done.status_code == 302 and done["Location"] == url
        assert "Rang Siôn back; safe at home." in _text(client.get(url))  # still reached, a day after
    alert.refresh_from_db()
    assert alert.picked_up_by == duty
    assert alert.picked_up_at == IN_HOURS + datetime.timedelta(minutes=12)
    assert alert.what_was_done == "Rang Siôn back; safe at home."
    assert AuditEvent.objects.filter(action=Action.UPDATE, actor_id=duty.pk, child_id=child.pk).exists()
    assert "waiting to be picked up" not in _text(client.get(reverse("core:home")))


@pytest.mark.django_db
def test_not_picked_up_in_time_it_escalates_to_the_manager_once(
    client_for, young_person, child, manager, staff_emails, django_capture_on_commit_callbacks
):
    with freeze_time(IN_HOURS):
        alert, _cover = voice.raise_alert(user=young_person, child=child, kind="not_safe")
    with freeze_time(IN_HOURS + datetime.timedelta(minutes=59)):
        call_command("escalate_space_alerts")
    alert.refresh_from_db()
    assert alert.escalated_at is None
    assert "waiting to be picked up" not in _text(client_for(manager).get(reverse("core:home")))
    mail.outbox.clear()
    with freeze_time(IN_HOURS + datetime.timedelta(minutes=61)), django_capture_on_commit_callbacks(execute=True):
        call_command("escalate_space_alerts")
        call_command("escalate_space_alerts")
    alert.refresh_from_db()
    assert alert.escalated_at == IN_HOURS + datetime.timedelta(minutes=61)
    assert [m.to for m in mail.outbox] == [["mair@example.invalid"]]
    event = AuditEvent.objects.get(action=Action.UPDATE, child_id=child.pk)
    assert event.route == Route.SYSTEM and event.actor_id is None
    with freeze_time(IN_HOURS + datetime.timedelta(minutes=62)):
        home = _text(client_for(manager).get(reverse("core:home")))
    assert "waiting to be picked up" in home and "Not picked up in time" in home


@pytest.mark.django_db
def test_an_alert_nobody_was_watching_escalates_only_after_the_service_opens(young_person, child):
    with freeze_time(SATURDAY_NIGHT):
        alert, _cover = voice.raise_alert(user=young_person, child=child, kind="talk")
    with freeze_time(SATURDAY_NIGHT + datetime.timedelta(hours=5)):
        assert voice.escalate_overdue() == 0
    with freeze_time(datetime.datetime(2026, 12, 7, 10, 1, tzinfo=LONDON)):
        assert voice.escalate_overdue() == 1


@pytest.mark.django_db
def test_another_young_persons_alert_page_shows_nothing_of_theirs(client_for, young_person, child, south, alice):
    other_kid = ChildFactory(service=south)
    other = UserFactory(organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=other, child=other_kid, created_by=alice)
    alert, _cover = voice.raise_alert(user=young_person, child=child, kind="not_safe")
    client = client_for(other)
    session = client.session
    session["nyth_space_last_alert"] = alert.pk
    session.save()
    response = client.get(reverse("myspace:alert_sent"))
    assert response.status_code == 302 and response["Location"] == reverse("myspace:help_me")


@pytest.mark.django_db
def test_a_duty_worker_of_another_service_reaches_no_alert(client_for, young_person, child, north):
    alert, _cover = voice.raise_alert(user=young_person, child=child, kind="not_safe")
    stranger = UserFactory(organisation=north, role=Role.DUTY_WORKER)
    client = client_for(stranger)
    assert client.get(reverse("space_access:alert", args=[child.pk, alert.pk])).status_code == 404
    assert "waiting to be picked up" not in _text(client.get(reverse("core:home")))
    assert child.display_name not in _text(client.get(reverse("space_access:waiting")))


@pytest.mark.django_db
def test_the_services_duty_worker_reaches_only_the_alert_not_the_record(client_for, young_person, child, duty):
    alert, _cover = voice.raise_alert(user=young_person, child=child, kind="not_safe")
    client = client_for(duty)
    assert client.get(reverse("space_access:alert", args=[child.pk, alert.pk])).status_code == 200
    assert client.get(reverse("space_access:checkins", args=[child.pk])).status_code == 404
    assert client.get(reverse("people:detail", args=[child.pk])).status_code == 404


# --- Before my review ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_before_my_review_is_on_the_plan_review_form_and_they_see_it_was_read(client_for, young_person, child, alice):
    from plans import services as plan_services

    plan_services.save_plan(
        by=alice,
        child=child,
        expected_version=0,
        values={"language": "en", "next_review_on": datetime.date.today() + datetime.timedelta(days=30)},
    )
    space = client_for(young_person)
    space.post(reverse("myspace:before_review"), {"text": "I want to see my brother more.", "text_language": "en"})
    note = ReviewNote.objects.get()
    assert AuditEvent.objects.get(action=Action.CREATE, actor_id=young_person.pk).route == Route.SELF
    assert "Your worker will read it by" in _text(space.get(reverse("myspace:before_review")))

    staff = client_for(alice)
    form = _text(staff.get(reverse("plans:review_add", args=[child.pk])))
    assert "What they want to say at this review" in form and "I want to see my brother more." in form
    response = staff.post(reverse("space_access:review_note_read", args=[child.pk, note.pk]), {"back": "review"})
    assert response["Location"] == reverse("plans:review_add", args=[child.pk])
    note.refresh_from_db()
    assert note.read_by == alice
    assert "Read by Alice on" in _text(space.get(reverse("myspace:before_review")))


@pytest.mark.django_db
def test_before_my_review_refuses_markup_and_an_empty_note(client_for, young_person):
    client = client_for(young_person)
    assert "Remove the HTML" in _text(client.post(reverse("myspace:before_review"), {"text": "<script>x</script>"}))
    assert "Write what you want to say at your review" in _text(
        client.post(reverse("myspace:before_review"), {"text": ""})
    )
    assert not ReviewNote.objects.exists()


# --- Drafts across the idle sign-out --------------------------------------------------------------


@pytest.mark.django_db
def test_a_post_after_the_idle_sign_out_is_kept_as_a_draft_and_offered_back(client_for, young_person, settings):
    start = IN_HOURS
    with freeze_time(start):
        client = client_for(young_person)
        client.get(reverse("myspace:checkin"))
    with freeze_time(start + datetime.timedelta(minutes=settings.NYTH_SPACE_IDLE_MINUTES + 1)):
        response = client.post(
            reverse("myspace:checkin"),
            {
                "feeling": "2",
                "note": "I was writing this for ages.",
                "text_language": "en",
                "csrfmiddlewaretoken": "abc",
            },
        )
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        assert not CheckIn.objects.exists()  # nothing acted on after the timeout
        draft = Draft.objects.get()
        assert draft.data["note"] == ["I was writing this for ages."]
        assert "csrfmiddlewaretoken" not in draft.data
        again = client_for(young_person)  # signs in again
        body = _text(again.get(reverse("myspace:checkin")))
    assert "You were signed out before this was sent. We kept what you wrote." in body
    assert "I was writing this for ages." in body
    assert 'name="feeling" type="radio" value="2" checked' in body
    assert not Draft.objects.exists()  # used once


@pytest.mark.django_db
def test_a_draft_expires_after_a_day_and_never_keeps_a_password(young_person):
    with freeze_time(IN_HOURS):
        kept = voice.keep_draft(user=young_person, path="/my/feeling/", data={"note": ["hi"], "password1": ["secret"]})
    assert kept is not None and "password1" not in kept.data
    with freeze_time(IN_HOURS + datetime.timedelta(hours=25)):
        assert voice.take_draft(young_person, "/my/feeling/") is None
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_nothing_typed_keeps_no_draft(young_person):
    assert (
        voice.keep_draft(user=young_person, path="/my/feeling/", data={"csrfmiddlewaretoken": ["x"], "note": [""]})
        is None
    )


@pytest.mark.django_db
def test_a_timed_out_alert_button_is_not_kept_or_sent(client_for, young_person, settings):
    with freeze_time(IN_HOURS):
        client = client_for(young_person)
        client.get(reverse("myspace:help_me"))
    with freeze_time(IN_HOURS + datetime.timedelta(minutes=settings.NYTH_SPACE_IDLE_MINUTES + 1)):
        client.post(reverse("myspace:raise_alert"), {"kind": "not_safe"})
    assert not Alert.objects.exists() and not Draft.objects.exists()


@pytest.mark.django_db
def test_the_pages_in_welsh(client_for, young_person):
    client = client_for(young_person)
    for name in ("myspace:checkin", "myspace:help_me", "myspace:before_review"):
        response = client.get(reverse(name).replace("/en/", "/cy/", 1))
        assert response.status_code == 200, name
        assert 'lang="cy"' in response.content.decode()


@pytest.mark.django_db
def test_signed_out_the_check_in_asks_to_sign_in(young_person):
    # Anonymous: sent to sign in, nothing shown.
    client = Client()
    assert client.get(reverse("myspace:checkin")).status_code == 302
