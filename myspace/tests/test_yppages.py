"""The young person's own pages: my plan, my goals, my nest, my sessions, help now, and the
requests they send their care team (myspace/yppages.py, myspace/views_yppages.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from contacts.models import Contact
from myspace.models import HelpLine, RequestKind, SpaceAccount, SpaceRequest
from outcomes import services as outcome_services
from outcomes.models import GoalRating, RatedBy
from people.models import RelatedPerson
from people.tests.factories import CareTeamFactory, ChildFactory, RelatedPersonFactory
from plans.models import Goal, GoalStatus, Plan, PlanAction


@pytest.fixture
def young_person(child, alice):
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


@pytest.fixture
def other(south, alice):
    """Another young person of the same service, with a plan, a nest and a session of their own."""
    kid = ChildFactory(service=south, given_name="Owain", family_name="Arall")
    CareTeamFactory(child=kid, user=alice, role="lead")
    RelatedPersonFactory(child=kid, name="Nain Owain")
    plan = Plan.objects.create(child=kid, language="en", next_review_on=datetime.date(2027, 3, 1), updated_by=alice)
    goal = Goal.objects.create(plan=plan, text="Owain's own goal")
    PlanAction.objects.create(plan=plan, who="school", what="Owain's own action")
    _session(kid, alice, days=3)
    user = UserFactory(username="owain", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=kid, created_by=alice)
    return {"child": kid, "goal": goal, "user": user}


def _plan(child, alice, goals=1):
    plan = Plan.objects.create(child=child, language="en", next_review_on=datetime.date(2027, 1, 15), updated_by=alice)
    made = [Goal.objects.create(plan=plan, text=f"Sleep better {n}", order=n) for n in range(goals)]
    return plan, made


def _session(child, alice, days=2, **extra):
    start = timezone.now() + datetime.timedelta(days=days)
    values = {"kind": "individual", "location": "home", "attendance": "booked"} | extra
    return Contact.objects.create(
        child=child, practitioner=alice, recorded_by=alice, starts_at=start,
        idempotency_key=f"s-{child.pk}-{days}-{values['kind']}-{values['attendance']}", **values,
    )  # fmt: skip


def _events(user, page):
    return AuditEvent.objects.filter(actor=user, route=Route.SELF, action=Action.VIEW, detail__page=page)


# --- My plan ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_plan_shows_their_goals_actions_and_next_review_and_is_audited(
    client_for, young_person, child, alice, other
):
    plan, (goal,) = _plan(child, alice)
    Goal.objects.create(plan=plan, text="An old goal that was stopped", status=GoalStatus.STOPPED)
    PlanAction.objects.create(plan=plan, who="carer", who_name="Sioned", what="Lift to school on Mondays")
    PlanAction.objects.create(plan=plan, who="young_person", what="Try the sleep diary")
    PlanAction.objects.create(plan=plan, who="school", what="Already done", done_on=datetime.date(2026, 1, 1))
    response = client_for(young_person).get(reverse("myspace:plan"))
    body = response.content.decode()
    assert response.status_code == 200
    assert goal.text in body and "Lift to school on Mondays" in body and "Sioned" in body
    assert "Try the sleep diary" in body and ">You<" in body
    assert "An old goal that was stopped" not in body and "Already done" not in body
    assert "Friday 15 January 2027" in body
    assert "Owain" not in body  # another young person's plan never appears
    assert _events(young_person, "myspace:plan").filter(child_id=child.pk).count() == 1


@pytest.mark.django_db
def test_the_plan_page_costs_the_same_queries_with_more_goals_and_actions(client_for, young_person, child, alice):
    plan, goals = _plan(child, alice)
    client = client_for(young_person)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("myspace:plan")).status_code == 200
        return len(queries)

    PlanAction.objects.create(plan=plan, who="carer", what="First", goal=goals[0])
    few = count()
    for n in range(5):
        goal = Goal.objects.create(plan=plan, text=f"Goal {n}", order=n + 2)
        PlanAction.objects.create(plan=plan, who="school", what=f"Action {n}", goal=goal)
    assert count() == few


@pytest.mark.django_db
def test_my_plan_without_a_plan_says_so(client_for, young_person):
    body = client_for(young_person).get(reverse("myspace:plan")).content.decode()
    assert "You do not have a plan yet" in body


@pytest.mark.django_db
def test_my_plan_in_welsh(client_for, young_person, child, alice):
    _plan(child, alice)
    body = client_for(young_person).get("/cy/my/plan/").content.decode()
    assert "Fy nghynllun" in body


# --- My goals ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rating_a_goal_records_a_young_person_rating_between_points(client_for, young_person, child, alice):
    _plan_, (goal,) = _plan(child, alice)
    client = client_for(young_person)
    page = client.get(reverse("myspace:goals")).content.decode()
    key = page.split(f'name="{goal.uuid}-key" value="')[1].split('"')[0]
    data = {"goal": str(goal.uuid), f"{goal.uuid}-value": "7", f"{goal.uuid}-key": key}
    response = client.post(reverse("myspace:goals"), data)
    assert response.status_code == 302
    rating = GoalRating.objects.get()
    assert (rating.value, rating.rated_by, rating.point, rating.child) == (7, RatedBy.YOUNG_PERSON, None, child)
    assert rating.recorded_by == young_person and rating.rated_on == timezone.localdate()
    event = AuditEvent.objects.get(actor=young_person, action=Action.CREATE)
    assert event.route == Route.SELF and event.child_id == child.pk
    # The same form sent twice (double click, retry) records one rating.
    client.post(reverse("myspace:goals"), data)
    assert GoalRating.objects.count() == 1
    assert "7 out of 10" in client.get(reverse("myspace:goals")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["11", "-1", "seven", ""])
def test_a_bad_score_is_explained_beside_the_field_kept_and_nothing_saved(
    client_for, young_person, child, alice, typed
):
    _plan_, (goal,) = _plan(child, alice)
    data = {"goal": str(goal.uuid), f"{goal.uuid}-value": typed, f"{goal.uuid}-key": "k1"}
    response = client_for(young_person).post(reverse("myspace:goals"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a score from 0 to 10" in body or "Enter a rating from 0 to 10" in body
    if typed:
        assert f'value="{typed}"' in body  # what was typed is kept
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert not GoalRating.objects.exists()


@pytest.mark.django_db
def test_a_bad_score_in_welsh(client_for, young_person, child, alice):
    _plan_, (goal,) = _plan(child, alice)
    data = {"goal": str(goal.uuid), f"{goal.uuid}-value": "12", f"{goal.uuid}-key": "k1"}
    body = client_for(young_person).post("/cy/my/goals/", data).content.decode()
    assert "Rhowch sgôr o 0 i 10" in body


@pytest.mark.django_db
def test_they_cannot_rate_another_young_persons_goal(client_for, young_person, other):
    goal = other["goal"]
    data = {"goal": str(goal.uuid), f"{goal.uuid}-value": "5", f"{goal.uuid}-key": "k"}
    assert client_for(young_person).post(reverse("myspace:goals"), data).status_code == 404
    with pytest.raises(Exception) as caught:
        outcome_services.rate_goal(
            by=young_person, goal=goal, value=5, rated_by=RatedBy.YOUNG_PERSON, on=timezone.localdate(), key="k"
        )
    assert caught.type.__name__ == "Http404"
    assert not GoalRating.objects.exists()


@pytest.mark.django_db
def test_rate_goal_rules(young_person, child, alice, bob):
    _plan_, (goal,) = _plan(child, alice)
    today = timezone.localdate()
    # A young person rates only as themselves.
    with pytest.raises(PermissionDenied):
        outcome_services.rate_goal(by=young_person, goal=goal, value=5, rated_by=RatedBy.CARER, on=today, key="a")
    # Staff outside the care team cannot write; the care team can, as any rater.
    with pytest.raises(Exception):  # noqa: B017 - 404 or 403, both refusals
        outcome_services.rate_goal(by=bob, goal=goal, value=5, rated_by=RatedBy.CARER, on=today, key="b")
    rating, created = outcome_services.rate_goal(
        by=alice, goal=goal, value="4", rated_by=RatedBy.WITH_PRACTITIONER, on=today, key="c"
    )
    assert created and rating.value == 4 and rating.point is None
    with pytest.raises(ValidationError) as error:
        outcome_services.rate_goal(
            by=alice, goal=goal, value=3, rated_by=RatedBy.CARER, on=today + datetime.timedelta(days=1), key="d"
        )
    assert "on" in error.value.message_dict
    goal.status = GoalStatus.ACHIEVED
    goal.save()
    with pytest.raises(ValidationError) as error:
        outcome_services.rate_goal(by=alice, goal=goal, value=3, rated_by=RatedBy.CARER, on=today, key="e")
    assert "value" in error.value.message_dict


@pytest.mark.django_db
def test_the_goals_page_costs_the_same_queries_with_more_ratings(client_for, young_person, child, alice):
    _plan_, goals = _plan(child, alice, goals=3)
    client = client_for(young_person)
    today = timezone.localdate()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("myspace:goals")).status_code == 200
        return len(queries)

    outcome_services.rate_goal(by=alice, goal=goals[0], value=1, rated_by=RatedBy.YOUNG_PERSON, on=today, key="x")
    few = count()
    for n in range(6):
        for goal in goals:
            outcome_services.rate_goal(
                by=alice, goal=goal, value=n, rated_by=RatedBy.YOUNG_PERSON, on=today, key=f"{goal.pk}-{n}"
            )
    assert count() == few


# --- My nest ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_nest_shows_name_and_role_only(client_for, young_person, child, other):
    person = RelatedPerson.objects.get(child=child)
    person.phone, person.email, person.notes = "07700 900123", "sioned@example.invalid", "Private staff note"
    person.young_person_view = "She is kind"
    person.save()
    RelatedPersonFactory(child=child, name="Gone Away", is_active=False)
    body = client_for(young_person).get(reverse("myspace:nest")).content.decode()
    assert "Sioned Prawf" in body and "Foster carer" in body
    for hidden in ("07700 900123", "sioned@example.invalid", "Private staff note", "Gone Away", "Nain Owain"):
        assert hidden not in body


@pytest.mark.django_db
def test_the_nest_page_costs_the_same_queries_with_more_people(client_for, young_person, child):
    client = client_for(young_person)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("myspace:nest")).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        RelatedPersonFactory(child=child, name=f"Person {n}")
    assert count() == few


@pytest.mark.django_db
def test_asking_for_someone_to_be_added_reaches_the_care_team(client_for, young_person, child, alice):
    client = client_for(young_person)
    page = client.get(reverse("myspace:nest")).content.decode()
    key = page.split('name="key" value="')[1].split('"')[0]
    response = client.post(reverse("myspace:nest"), {"text": "My nan, Nerys", "key": key})
    assert response.status_code == 302
    client.post(reverse("myspace:nest"), {"text": "My nan, Nerys", "key": key})  # sent twice: one request
    request = SpaceRequest.objects.get()
    assert (request.child, request.kind, request.text, request.read_at) == (
        child,
        RequestKind.ADD_PERSON,
        "My nan, Nerys",
        None,
    )
    assert request.text_language == "en"
    assert AuditEvent.objects.filter(actor=young_person, action=Action.CREATE, route=Route.SELF).count() == 1
    # The care team sees it in the one inbox of their space and marks it read (the older
    # address of the button still works).
    staff = client_for(alice)
    page = staff.get(reverse("space_access:inbox", args=[child.pk])).content.decode()
    assert "My nan, Nerys" in page and "Mark as read" in page
    url = reverse("space_access:request_read", args=[child.pk, request.pk])
    assert staff.post(url).status_code == 302
    request.refresh_from_db()
    assert request.read_by == alice and request.read_at is not None
    assert "Read by Alice Ymarferydd" in staff.get(reverse("space_access:inbox", args=[child.pk])).content.decode()
    assert AuditEvent.objects.filter(actor=alice, action=Action.REVIEW, child_id=child.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), [
    ("", "Write what you would like"),
    ("<script>alert(1)</script>", "Remove the HTML"),
    ("x" * 1001, "Write 1000 characters or fewer"),
])  # fmt: skip
def test_a_bad_request_is_explained_and_nothing_saved(client_for, young_person, text, message):
    response = client_for(young_person).post(reverse("myspace:nest"), {"text": text, "key": "k"})
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    if text and len(text) < 100:
        assert "&lt;script&gt;" in body  # what was typed is kept, escaped
    assert not SpaceRequest.objects.exists()


@pytest.mark.django_db
def test_marking_another_childs_request_read_is_refused(client_for, charlie, child, young_person, alice, other):
    request = SpaceRequest.objects.create(
        child=child, kind="add_person", text="x", created_by=young_person, form_key="z"
    )
    # A stranger to the record: 404. The care team of another record: the request is not under it.
    assert (
        client_for(charlie).post(reverse("space_access:request_read", args=[child.pk, request.pk])).status_code == 404
    )
    url = reverse("space_access:request_read", args=[other["child"].pk, request.pk])
    assert client_for(alice).post(url).status_code == 404
    request.refresh_from_db()
    assert request.read_at is None


@pytest.mark.django_db
def test_unread_requests_come_first_and_a_key_from_another_record_is_refused(young_person, child, other):
    from myspace import yppages

    old, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Old", key="k-old")
    new, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="New", key="k-new")
    read, _created = yppages.make_request(by=young_person, child=child, kind="add_person", text="Read", key="k-read")
    SpaceRequest.objects.filter(pk=read.pk).update(read_at=timezone.now() + datetime.timedelta(hours=1))
    SpaceRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    from myspace import inbox

    # Unread first (the earliest due first), then what was read.
    assert [i.obj.text for i in inbox.items_for_child(child)] == ["Old", "New", "Read"]
    with pytest.raises(PermissionDenied):
        yppages.make_request(by=other["user"], child=other["child"], kind="add_person", text="x", key="k-old")


@pytest.mark.django_db
def test_the_staff_requests_list_costs_the_same_queries_with_more_requests(client_for, young_person, child, alice):
    staff = client_for(alice)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(reverse("space_access:inbox", args=[child.pk])).status_code == 200
        return len(queries)

    session = _session(child, alice)
    SpaceRequest.objects.create(child=child, kind="add_person", text="a", created_by=young_person, form_key="0")
    few = count()
    for n in range(1, 6):
        SpaceRequest.objects.create(
            child=child, kind="session_change", text=f"t{n}", created_by=young_person, form_key=str(n),
            contact=session, read_at=timezone.now() if n % 2 else None, read_by=alice if n % 2 else None,
        )  # fmt: skip
    assert count() == few


# --- My sessions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_sessions_shows_booked_sessions_with_them(client_for, young_person, child, alice, other):
    booked = _session(child, alice, days=2)
    _session(child, alice, days=4, kind="consultation", consultation_with="school")
    _session(child, alice, days=5, attendance="cancelled_by_service")
    _session(child, alice, days=-2)  # in the past
    response = client_for(young_person).get(reverse("myspace:sessions"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "With Alice Ymarferydd" in body
    assert body.count("Can we change this?") == 1
    assert reverse("myspace:session_change", args=[booked.pk]) in body
    assert "Owain" not in body  # another young person's sessions never appear


@pytest.mark.django_db
def test_the_sessions_page_costs_the_same_queries_with_more_sessions(client_for, young_person, child, alice, bob):
    client = client_for(young_person)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("myspace:sessions")).status_code == 200
        return len(queries)

    _session(child, alice, days=1)
    few = count()
    for n in range(2, 7):
        _session(child, bob if n % 2 else alice, days=n)
    assert count() == few


@pytest.mark.django_db
def test_asking_to_change_a_session(client_for, young_person, child, alice):
    session = _session(child, alice)
    client = client_for(young_person)
    url = reverse("myspace:session_change", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Can it be after school?", "key": "key-1"})
    assert response.status_code == 302 and response["Location"] == reverse("myspace:sessions")
    request = SpaceRequest.objects.get()
    assert (request.kind, request.contact, request.child) == (RequestKind.SESSION_CHANGE, session, child)
    page = client_for(alice).get(reverse("space_access:inbox", args=[child.pk])).content.decode()
    assert "Can it be after school?" in page and "Change a session" in page


@pytest.mark.django_db
def test_they_cannot_ask_about_someone_elses_session(client_for, young_person, other):
    theirs = Contact.objects.get(child=other["child"])
    url = reverse("myspace:session_change", args=[theirs.pk])
    client = client_for(young_person)
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Hello", "key": "k"}).status_code == 404
    assert not SpaceRequest.objects.exists()


# --- Help now ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_help_now_lists_the_seeded_lines_and_999(client_for, young_person, child):
    body = client_for(young_person).get(reverse("myspace:help")).content.decode()
    assert "999" in body
    for number in ("080880 23456", "84001", "0800 1111", "116 123", "0808 164 0123"):
        assert number in body
    assert 'href="tel:08088023456"' in body and 'href="sms:84001"' in body
    assert _events(young_person, "myspace:help").filter(child_id=child.pk).count() == 1


@pytest.mark.django_db
def test_help_now_is_kept_as_data_with_a_citation(client):
    lines = {line.name_en: line for line in HelpLine.objects.all()}
    assert set(lines) == {"Meic", "Childline", "Samaritans"}
    assert all(line.citation.startswith("https://") for line in lines.values())
    lines["Childline"].is_active = False
    lines["Childline"].save()
    body = client.get(reverse("myspace:help")).content.decode()  # signed out too
    assert "0800 1111" not in body and "116 123" in body


@pytest.mark.django_db
def test_help_now_in_welsh(client):
    body = client.get("/cy/my/help/").content.decode()
    assert "Help nawr" in body and "Ffoniwch yn Gymraeg" in body


@pytest.mark.django_db
def test_every_space_page_links_to_help_now(client_for, young_person, child, alice):
    session = _session(child, alice)
    client = client_for(young_person)
    for name, args in [("home", []), ("plan", []), ("goals", []), ("nest", []), ("sessions", []),
                       ("session_change", [session.pk])]:  # fmt: skip
        body = client.get(reverse(f"myspace:{name}", args=args)).content.decode()
        assert f'href="{reverse("myspace:help")}"' in body, name


@pytest.mark.django_db
def test_the_home_page_links_to_each_page(client_for, young_person):
    body = client_for(young_person).get(reverse("myspace:home")).content.decode()
    assert "What you can do here" in body
    for name in ("plan", "goals", "nest", "sessions", "help"):
        assert f'href="{reverse(f"myspace:{name}")}"' in body


# --- Scope ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["plan", "goals", "nest", "sessions"])
def test_the_pages_are_not_for_staff_or_carers_and_a_revoked_account(client_for, young_person, child, alice, name):
    url = reverse(f"myspace:{name}")
    carer = UserFactory(username="carer1", organisation=None, role=Role.CARER)
    SpaceAccount.objects.create(user=carer, child=child, related_person=child.related_people.get(), created_by=alice)
    assert client_for(carer).get(url).status_code == 404
    account = young_person.space_account
    account.revoked_at, account.revoked_by = timezone.now(), alice
    account.save()
    assert client_for(young_person).get(url).status_code == 404


# --- Help now lines, kept by service managers ------------------------------------------------


@pytest.mark.django_db
def test_a_service_manager_changes_a_help_line_and_it_is_kept_and_audited(client_for, manager, client):
    line = HelpLine.objects.get(name_en="Childline")
    staff = client_for(manager)
    assert "0800 1111" in staff.get(reverse("space_access:help_lines")).content.decode()
    url = reverse("space_access:help_line_edit", args=[line.pk])
    data = {
        "name_en": "Childline", "name_cy": "Childline", "what_en": "Talk to someone.", "what_cy": "Siarad â rhywun.",
        "phone": "0800 2222", "welsh_phone": "", "text_number": "", "citation": "www.childline.org.uk",
        "order": 2, "is_active": "on",
    }  # fmt: skip
    assert staff.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.phone == "0800 2222" and line.citation == "https://www.childline.org.uk"
    # The change is kept (the seed, written by a migration, has no history row of its own).
    assert [h.phone for h in line.history.all()] == ["0800 2222"]
    assert AuditEvent.objects.filter(actor=manager, action=Action.UPDATE, object_id=str(line.pk)).exists()
    assert "0800 2222" in client.get(reverse("myspace:help")).content.decode()


@pytest.mark.django_db
def test_a_help_line_without_a_citation_is_refused(client_for, manager):
    line = HelpLine.objects.get(name_en="Meic")
    data = {
        "name_en": "Meic",
        "name_cy": "Meic",
        "what_en": "x",
        "what_cy": "x",
        "phone": "1",
        "citation": "",
        "order": 1,
    }
    response = client_for(manager).post(reverse("space_access:help_line_edit", args=[line.pk]), data)
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    line.refresh_from_db()
    assert line.phone == "080880 23456"


@pytest.mark.django_db
def test_only_service_managers_keep_the_help_lines(client_for, alice, young_person):
    line = HelpLine.objects.first()
    for user in (alice, young_person):
        client = client_for(user)
        assert client.get(reverse("space_access:help_lines")).status_code == 404
        assert client.post(reverse("space_access:help_line_edit", args=[line.pk]), {}).status_code == 404
