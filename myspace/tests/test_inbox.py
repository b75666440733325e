"""The one care-team inbox (myspace/inbox.py, myspace/staff_inbox.py): whatever a young person
sends from their space carries a read-by date, is marked read (or done) by one rule, once, by
the care team, audited with the reader's route; the practitioner's reply is shown back where it
was sent; the request and consent forms keep a draft across the idle sign-out."""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import Organisation, Role
from accounts.tests.factories import UserFactory
from assessments.tests.builders import give_consent
from audit.models import Action, AuditEvent, Route
from audit.services import record
from contacts.models import Contact
from myspace import consents, inbox, seen, voice, yppages
from myspace.models import CareTeamNotice, CheckIn, Draft, ReviewNote, SpaceAccount, SpaceRequest
from people.tests.factories import CareTeamFactory, ChildFactory, RelatedPersonFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 8 December 2026, 11:00. Two Welsh working days later: Thursday 10 December.
SENT = datetime.datetime(2026, 12, 8, 11, 0, tzinfo=LONDON)
DUE = datetime.date(2026, 12, 10)
# Monday 14 December: past the read-by date.
LATE = datetime.datetime(2026, 12, 14, 10, 0, tzinfo=LONDON)


@pytest.fixture
def young_person(child, alice):
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.fixture
def school():
    return Organisation.objects.get(code="7A4")


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _session(child, alice, days=2):
    return Contact.objects.create(
        child=child, practitioner=alice, recorded_by=alice, kind="individual", location="home",
        attendance="booked", starts_at=timezone.now() + datetime.timedelta(days=days),
        idempotency_key=f"inbox-{child.pk}-{days}",
    )  # fmt: skip


def _read_assessment(actor, child):
    from assessments.models import Assessment

    assessment, _created = Assessment.objects.get_or_create(child=child)
    return record(
        actor=actor, action=Action.VIEW, obj=assessment, child_id=child.pk, detail={"route": "care_team"},
        route=Route.UI,
    )  # fmt: skip


def _one_of_each(young_person, child, alice, school, key="k"):
    """A check-in, a "before my review", a request and a notice (a withdrawal), as the space makes them."""
    checkin = voice.check_in(user=young_person, child=child, feeling=2, note="Bad day.", text_language="en")
    note = voice.say_before_review(user=young_person, child=child, text="More time with Nain.", text_language="en")
    request, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Nain", key=key)
    consent = give_consent(
        child, recorded_by=alice, organisation=school, competence_judgement="Understands.", sections=("health",)
    )
    notice = consents.stop_sharing(by=young_person, child=child, consent=consent, words="")
    return {"checkin": checkin, "review": note, "request": request, "notice": notice}


# --- One read-by date for everything ----------------------------------------------------------


@freeze_time(SENT)
def test_everything_they_send_carries_the_same_read_by_date(young_person, child, alice, school):
    items = _one_of_each(young_person, child, alice, school)
    why = seen.ask_why(by=young_person, child=child, line=_line(young_person, child, alice), words="Why?")
    for item in [*items.values(), why]:
        item.refresh_from_db()
        assert item.read_by_date == DUE, type(item).__name__
        assert item.read_at is None and item.reply == ""


def _line(young_person, child, alice):
    _read_assessment(alice, child)
    return seen.their_lines(young_person, child)[0]


@freeze_time(SENT)
def test_the_read_by_date_follows_the_setting(young_person, child, settings):
    settings.NYTH_SPACE_READ_WITHIN_WORKING_DAYS = 5
    request, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="x", key="k5")
    # Five working days after Tuesday 8 December: Tuesday 15 December.
    assert request.read_by_date == datetime.date(2026, 12, 15)


# --- The one rule ------------------------------------------------------------------------------


@freeze_time(SENT)
@pytest.mark.parametrize("slug", ["checkin", "review", "request", "notice"])
def test_one_rule_marks_each_kind_read_once_with_a_reply_audited_by_the_readers_route(
    young_person, child, alice, bob, school, slug
):
    item = _one_of_each(young_person, child, alice, school)[slug]
    inbox.mark_read(by=alice, item=item, reply="We can talk on Friday.", reply_language="cy")
    item.refresh_from_db()
    assert (item.read_by, item.reply, item.reply_language) == (alice, "We can talk on Friday.", "cy")
    event = AuditEvent.objects.get(action=Action.REVIEW, actor_id=alice.pk)
    assert (event.child_id, event.route, event.detail["kind"], event.detail["replied"]) == (
        child.pk,
        Route.UI,
        slug,
        True,
    )
    # Once: a second reader is refused and the first is kept.
    CareTeamFactory(child=child, user=bob, role="practitioner")
    with pytest.raises(ValidationError, match="already marked as read"):
        inbox.mark_read(by=bob, item=item, reply="Me too")
    item.refresh_from_db()
    assert (item.read_by, item.reply) == (alice, "We can talk on Friday.")
    assert AuditEvent.objects.filter(action=Action.REVIEW).count() == 1


def test_only_the_care_team_and_managers_mark_read(young_person, child, alice, manager, charlie, partner, school):
    items = _one_of_each(young_person, child, alice, school)
    with pytest.raises(Http404):
        inbox.mark_read(by=charlie, item=items["request"])
    with pytest.raises((Http404, PermissionDenied)):
        inbox.mark_read(by=partner, item=items["notice"])
    with pytest.raises((Http404, PermissionDenied)):
        inbox.mark_read(by=young_person, item=items["checkin"])
    inbox.mark_read(by=manager, item=items["checkin"])
    assert CheckIn.objects.get().read_by == manager
    assert SpaceRequest.objects.get().read_at is None and CareTeamNotice.objects.get().read_at is None


@pytest.mark.parametrize(
    ("reply", "message"),
    [("x" * 10_000, "Write 1000 characters or fewer"), ("See <a href='x'>this</a>", "Remove the HTML")],
)
def test_a_long_or_marked_up_reply_is_explained_kept_and_nothing_is_saved(
    client_for, young_person, child, alice, reply, message
):
    request, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Nain", key="k")
    staff = client_for(alice)
    prefix = f"request-{request.pk}"
    response = staff.post(
        reverse("space_access:inbox_read", args=[child.pk, "request", request.pk]),
        {f"{prefix}-reply": reply, f"{prefix}-text_language": "en"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in html.unescape(body) and "govuk-error-summary" in body
    assert html.escape(reply[:40]) in body  # what they typed is kept, escaped
    assert "<a href='x'>" not in body
    request.refresh_from_db()
    assert request.read_at is None and request.reply == ""
    assert not AuditEvent.objects.filter(action=Action.REVIEW).exists()


def test_another_childs_item_is_404_and_nothing_changes(client_for, young_person, child, alice, charlie, south):
    other = ChildFactory(service=south, given_name="Owain", family_name="Arall")
    CareTeamFactory(child=other, user=alice, role="lead")
    theirs, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="x", key="k")
    staff = client_for(alice)
    # Under another record alice works with: not that record's item.
    assert staff.post(reverse("space_access:inbox_read", args=[other.pk, "request", theirs.pk])).status_code == 404
    # A kind that does not exist, and a stranger to the record.
    assert staff.post(reverse("space_access:inbox_read", args=[child.pk, "alert", theirs.pk])).status_code == 404
    stranger = client_for(charlie)
    assert stranger.post(reverse("space_access:inbox_read", args=[child.pk, "request", theirs.pk])).status_code == 404
    assert stranger.get(reverse("space_access:inbox", args=[child.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- The staff pages ----------------------------------------------------------------------------


def test_the_inbox_page_lists_alerts_first_then_unread_then_read_with_overdue_marked(
    client_for, young_person, child, alice, school
):
    with freeze_time(SENT):
        items = _one_of_each(young_person, child, alice, school)
        voice.raise_alert(user=young_person, child=child, kind="talk")
        inbox.mark_read(by=alice, item=items["review"], reply="Thank you.")
    with freeze_time(LATE):
        fresh, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Taid", key="k2")
        body = _text(client_for(alice).get(reverse("space_access:inbox", args=[child.pk])))
        order = [
            body.index("I need to talk to someone"),  # the alert, first
            body.index("Bad day."),
            body.index("Taid"),  # unread, due later than the others
            body.index("More time with Nain."),  # read, last
        ]
        assert order == sorted(order)
        assert body.count("Overdue") == 3  # the check-in, the request and the notice sent on the 8th
        assert "Read by Alice Ymarferydd" in body and "Thank you." in body
        ordered = [i.obj for i in inbox.items_for_child(child)]
    assert ordered[-1] == items["review"] and ordered[-2] == fresh
    opened = AuditEvent.objects.filter(actor_id=alice.pk, action=Action.VIEW, detail__page="space_access:inbox")
    assert opened.get().child_id == child.pk


def test_the_reply_is_saved_from_the_page_and_shown_escaped(client_for, young_person, child, alice):
    request, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Nain", key="k")
    prefix = f"request-{request.pk}"
    response = client_for(alice).post(
        reverse("space_access:inbox_read", args=[child.pk, "request", request.pk]),
        {f"{prefix}-reply": "Yes & 3 > 2, talk Friday", f"{prefix}-text_language": "cy"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.read_by, request.reply, request.reply_language) == (alice, "Yes & 3 > 2, talk Friday", "cy")
    body = client_for(young_person).get(reverse("myspace:nest")).content.decode()
    assert "Yes &amp; 3 &gt; 2, talk Friday" in body
    assert '<p class="govuk-body" lang="cy">Yes &amp; 3' in body


def test_the_caseload_list_names_everything_waiting_with_one_list_event(
    client_for, young_person, child, alice, school, charlie
):
    with freeze_time(SENT):
        _one_of_each(young_person, child, alice, school)
    with freeze_time(LATE):
        body = _text(client_for(alice).get(reverse("space_access:waiting")))
    for what in ("Check-in: Not good", "Before my review", "Add someone to my nest", "They stopped sharing"):
        assert what in body, what
    assert body.count("Overdue") == 4
    assert reverse("space_access:inbox", args=[child.pk]) in body
    listed = AuditEvent.objects.get(actor_id=alice.pk, action=Action.LIST, detail__page="space_access:waiting")
    assert listed.detail["children"] == [child.pk]
    stranger = _text(client_for(charlie).get(reverse("space_access:waiting")))
    assert child.display_name not in stranger and "Bad day" not in stranger


def test_the_home_panel_counts_unread_and_overdue(client_for, young_person, child, alice, school):
    with freeze_time(SENT):
        items = _one_of_each(young_person, child, alice, school)
        inbox.mark_read(by=alice, item=items["checkin"])
    with freeze_time(LATE):
        yppages.make_request(by=young_person, child=child, kind="add_person", text="Taid", key="k2")
        home = _text(client_for(alice).get(reverse("core:home")))
        counts = inbox.counts_for(alice)
    assert "4 things from young people's own spaces are waiting to be read." in home
    assert "3 overdue" in home
    assert (counts.unread, counts.overdue, counts.notices) == (4, 3, 1)
    assert "withdrew a consent or asked you something" in home


def _queries(client, urls) -> int:
    with CaptureQueriesContext(connection) as captured:
        for url in urls:
            assert client.get(url).status_code == 200
    return len(captured)


def _add_child_with_items(alice, south, n):
    kid = ChildFactory(service=south)
    CareTeamFactory(child=kid, user=alice, role="lead")
    user = UserFactory(organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=kid, created_by=alice)
    session = _session(kid, alice, days=n + 2)
    for i in range(n):
        voice.check_in(user=user, child=kid, feeling=3, note=f"n{i}", text_language="en")
        voice.say_before_review(user=user, child=kid, text=f"r{i}", text_language="en")
        yppages.make_request(by=user, child=kid, kind="session_change", text="t", key=f"{kid.pk}-{i}", contact=session)
        CareTeamNotice.objects.create(child=kid, kind="why_look", about="x", created_by=user)
    return kid


def test_the_pages_and_panel_cost_the_same_queries_for_2_or_20_items(client_for, alice, south):
    """The home panel, the caseload list and one young person's page: constant in the number of
    children and of items (2 items each of one child, then 20 over more children)."""
    first = _add_child_with_items(alice, south, 2)
    client = client_for(alice)
    urls = [reverse("core:home"), reverse("space_access:waiting"), reverse("space_access:inbox", args=[first.pk])]
    client.get(urls[0])  # the session's first page settles its own queries
    few = _queries(client, urls)
    for _ in range(3):
        _add_child_with_items(alice, south, 5)
    _add_child_with_items(alice, south, 3)
    more = first
    for i in range(2, 20):
        voice.check_in(user=more.space_accounts.get().user, child=more, feeling=1, note=f"x{i}", text_language="en")
    assert _queries(client, urls) == few


# --- What the young person sees back ----------------------------------------------------------


@freeze_time(SENT)
def test_they_see_when_it_will_be_read_then_who_read_it_and_the_reply_where_they_sent_it(
    client_for, young_person, child, alice, school
):
    session = _session(child, alice)
    change, _created = yppages.make_request(
        by=young_person, child=child, kind="session_change", text="After school?", key="s", contact=session
    )
    items = _one_of_each(young_person, child, alice, school)
    why = seen.ask_why(by=young_person, child=child, line=_line(young_person, child, alice), words="Who was it?")
    pages = {
        "myspace:nest": items["request"],
        "myspace:sessions": change,
        "myspace:consents": items["notice"],
        "myspace:seen": why,
        "myspace:before_review": items["review"],
    }
    space = client_for(young_person)
    for name in pages:
        body = _text(space.get(reverse(name)))
        assert "Your worker will read it by Thursday 10 December." in body, name
    for n, item in enumerate(pages.values()):
        inbox.mark_read(by=alice, item=item, reply=f"Answer {n}")
    for n, name in enumerate(pages):
        body = _text(space.get(reverse(name)))
        assert "Read by Alice on 8 December 2026" in body, name
        assert "Ymarferydd" not in body.split("Read by")[1][:40], name  # the first name only
        assert "Alice wrote back:" in body and f">Answer {n}</p>" in body, name


def test_a_carer_sees_none_of_it(client_for, young_person, child, alice, school):
    items = _one_of_each(young_person, child, alice, school)
    inbox.mark_read(by=alice, item=items["request"], reply="Secret reply")
    person = RelatedPersonFactory(child=child, name="Carys Gofalwr")
    carer = UserFactory(username="carys", organisation=None, role=Role.CARER)
    SpaceAccount.objects.create(user=carer, child=child, related_person=person, created_by=alice)
    client = client_for(carer)
    for name in ("myspace:nest", "myspace:sessions", "myspace:consents", "myspace:seen", "myspace:before_review"):
        assert client.get(reverse(name)).status_code == 404, name
    for url in (reverse("space_access:inbox", args=[child.pk]), reverse("space_access:waiting")):
        assert client.get(url).status_code == 404
    assert "Secret reply" not in _text(client.get(reverse("myspace:home")))


# --- Drafts across the idle sign-out ------------------------------------------------------------


def _keys(body: str) -> str:
    return body.split('name="key" value="')[1].split('"')[0]


@pytest.mark.parametrize("form", ["nest", "session_change", "stop_sharing", "ask_why"])
def test_an_idle_timeout_while_typing_loses_nothing(client_for, young_person, child, alice, school, settings, form):
    if form == "nest":
        url, field = reverse("myspace:nest"), "text"
    elif form == "session_change":
        url, field = reverse("myspace:session_change", args=[_session(child, alice).pk]), "text"
    elif form == "stop_sharing":
        consent = give_consent(
            child, recorded_by=alice, organisation=school, competence_judgement="Understands.", sections=("health",)
        )
        url, field = reverse("myspace:stop_sharing", args=[consent.pk]), "words"
    else:
        _read_assessment(alice, child)
        url, field = reverse("myspace:ask_why", args=[seen.their_lines(young_person, child)[0].event.pk]), "words"
    typed = "I took ages to write this & it matters."
    with freeze_time(SENT):
        client = client_for(young_person)
        page = client.get(url).content.decode()
    data = {field: typed, "csrfmiddlewaretoken": "abc"}
    if 'name="key"' in page:
        data["key"] = _keys(page)
    with freeze_time(SENT + datetime.timedelta(minutes=settings.NYTH_SPACE_IDLE_MINUTES + 1)):
        response = client.post(url, data)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        # Nothing acted on after the timeout, but what they typed is kept.
        assert not SpaceRequest.objects.exists() and not CareTeamNotice.objects.exists()
        assert Draft.objects.get().data[field] == [typed]
        again = client_for(young_person)
        response = again.get(url)
        body = _text(response)
        assert response.status_code == 200
        assert "You were signed out before this was sent. We kept what you wrote." in body
        assert typed in body and "There is a problem" not in body
        assert not Draft.objects.exists()  # used once
        # Sent now, and sent again (a second tab, a double press): one item.
        resent = {key: value for key, value in data.items() if key != "csrfmiddlewaretoken"}
        assert again.post(url, resent).status_code == 302
        if "key" in data:
            again.post(url, resent)
    made = SpaceRequest.objects.all() if form in ("nest", "session_change") else CareTeamNotice.objects.all()
    assert made.count() == 1
    item = made.get()
    assert (item.text if form in ("nest", "session_change") else item.words) == typed


# --- Ordering on both databases ---------------------------------------------------------------


def test_the_plan_review_lists_unread_notes_first_on_every_database(young_person, child, alice):
    from myspace.plan_review import for_plan_review

    read = ReviewNote.objects.create(child=child, text="read")
    ReviewNote.objects.create(child=child, text="unread old", created_at=timezone.now() - datetime.timedelta(days=2))
    ReviewNote.objects.create(child=child, text="unread new")
    inbox.mark_read(by=alice, item=read)
    assert [n.text for n in for_plan_review(alice, child)] == ["unread new", "unread old", "read"]


def test_a_reused_form_key_makes_one_request(young_person, child):
    first, created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Nain", key="same")
    again, created_again = yppages.make_request(
        by=young_person, child=child, kind="add_person", text="Nain", key="same"
    )
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert [i.obj for i in inbox.items_for_child(child)] == [first]


def test_the_pages_in_welsh(client_for, young_person, child, alice, school):
    items = _one_of_each(young_person, child, alice, school)
    inbox.mark_read(by=alice, item=items["request"], reply="Gawn ni siarad ddydd Gwener?", reply_language="cy")
    staff = client_for(alice)
    for url in (reverse("space_access:inbox", args=[child.pk]), reverse("space_access:waiting"), reverse("core:home")):
        response = staff.get(url.replace("/en/", "/cy/", 1))
        assert response.status_code == 200, url
        assert 'lang="cy"' in response.content.decode()
    body = _text(client_for(young_person).get(reverse("myspace:nest").replace("/en/", "/cy/", 1)))
    assert "Darllenodd Alice hwn ar" in body and "Ysgrifennodd Alice yn ôl:" in body
    assert "Gawn ni siarad ddydd Gwener?" in body
