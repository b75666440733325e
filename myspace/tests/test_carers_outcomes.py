"""The carer's goals and feedback (issue 14, "What the carer sees"): carer-rated Goal Based
Outcomes through ``outcomes.services.rate_goal`` and the feedback questionnaire through
``outcomes.feedback`` – only through the carer's own route, only while it lasts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation, Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from consent import services as consent_services
from episodes import services as episode_services
from myspace import readable
from myspace.models import SpaceAccount
from myspace.tests.test_carers import carer_account, support_consent
from outcomes import feedback as outcome_feedback
from outcomes import services as outcome_services
from outcomes.models import AnonymousFeedback, GoalRating, NamedFeedback, RatedBy, Respondent
from people import services as people_services
from people.tests.factories import ChildFactory
from plans.models import Goal, GoalStatus, Plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
GOALS = reverse("myspace:carer_goals")
FEEDBACK = reverse("myspace:carer_feedback")


@pytest.fixture
def teen(child):
    child.date_of_birth = TODAY() - datetime.timedelta(days=14 * 366)
    child.save()
    return child


@pytest.fixture
def carer(teen):
    person = teen.related_people.get()
    teen.placements.get().carers.add(person)
    return person


@pytest.fixture
def goals(teen, alice):
    plan = Plan.objects.create(
        child=teen, language="en", updated_by=alice, next_review_on=TODAY() + datetime.timedelta(days=60)
    )
    made = [
        Goal.objects.create(plan=plan, text="Feel calmer at bedtime", order=0),
        Goal.objects.create(plan=plan, text="Go to school most days", order=1),
    ]
    Goal.objects.create(plan=plan, text="Already done: join a club", order=2, status=GoalStatus.ACHIEVED)
    return made


@pytest.fixture
def sioned(teen, carer, alice):
    """The carer's account, with a consent for support at home that shares the plan."""
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer)
    return user


def rate(client, goal, value, key="k1"):
    return client.post(GOALS, {"goal": str(goal.uuid), f"{goal.uuid}-value": value, f"{goal.uuid}-key": key})


# --- Rating the goals ---------------------------------------------------------------------------


def test_the_carer_scores_the_shared_plans_goals_and_it_is_recorded_as_a_carers_rating(client_for, teen, sioned, goals):
    client = client_for(sioned)
    home = client.get(reverse("myspace:home")).content.decode()
    assert GOALS in home and "Score their goals" in home
    page = client.get(GOALS).content.decode()
    assert "Feel calmer at bedtime" in page and "Go to school most days" in page
    assert "join a club" not in page  # not a current goal
    assert "You have not given this goal a score yet." in page
    response = rate(client, goals[0], "6")
    assert response.status_code == 302 and response["Location"] == GOALS
    rating = GoalRating.objects.get()
    assert (rating.child, rating.goal, rating.value, rating.rated_by, rating.recorded_by, rating.point) == (
        teen, goals[0], 6, RatedBy.CARER, sioned, None
    )  # fmt: skip
    page = client.get(GOALS).content.decode()
    assert "Thank you. Your score is saved." in page
    assert "Your last score: 6 out of 10" in page


def test_the_rating_and_the_page_are_audited_as_the_carers_own_space(client_for, teen, sioned, goals):
    client = client_for(sioned)
    client.get(GOALS)
    rate(client, goals[0], "4")
    opened = AuditEvent.objects.get(actor=sioned, action=Action.VIEW, detail__page="myspace:carer_goals")
    assert (opened.route, opened.child_id) == (Route.SELF, teen.pk)
    created = AuditEvent.objects.get(actor=sioned, action=Action.CREATE, object_type="outcomes.goalrating")
    assert (created.route, created.child_id) == (Route.SELF, teen.pk)
    assert created.detail == {"goal_rating": True, "rated_by": "carer", "between_points": True}


def test_the_same_form_sent_twice_records_once(client_for, sioned, goals):
    client = client_for(sioned)
    rate(client, goals[0], "7", key="same")
    rate(client, goals[0], "7", key="same")
    assert GoalRating.objects.count() == 1


@pytest.mark.parametrize("typed", ["11", "-1", "seven", ""])
def test_a_bad_score_is_explained_kept_and_nothing_saved(client_for, sioned, goals, typed):
    response = rate(client_for(sioned), goals[1], typed)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a score from 0 to 10" in body or "Enter a rating from 0 to 10" in body
    if typed:
        assert f'value="{typed}"' in body
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert not GoalRating.objects.exists()


def test_the_goals_page_and_its_error_in_welsh(client_for, sioned, goals):
    client = client_for(sioned)
    page = client.get("/cy/my/carer/goals/").content.decode()
    assert "Eu nodau" in page
    body = client.post(
        "/cy/my/carer/goals/", {"goal": str(goals[0].uuid), f"{goals[0].uuid}-value": "12", f"{goals[0].uuid}-key": "k"}
    ).content.decode()
    assert "Rhowch sgôr o 0 i 10" in body


def test_without_the_plan_in_the_consent_there_are_no_goals_to_score(client_for, teen, carer, alice, goals):
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer, items=["outcomes"])
    client = client_for(user)
    assert GOALS not in client.get(reverse("myspace:home")).content.decode()
    assert client.get(GOALS).status_code == 404
    assert rate(client, goals[0], "5").status_code == 404
    with pytest.raises(Http404):
        outcome_services.rate_goal(by=user, goal=goals[0], value=5, rated_by=RatedBy.CARER, on=TODAY(), key="x")
    assert not GoalRating.objects.exists()


def test_rate_goal_lets_a_carer_rate_only_as_a_carer_and_only_this_plans_current_goals(
    sioned, teen, goals, alice, south
):
    with pytest.raises(PermissionDenied):
        outcome_services.rate_goal(
            by=sioned, goal=goals[0], value=5, rated_by=RatedBy.YOUNG_PERSON, on=TODAY(), key="a"
        )
    other = ChildFactory(service=south)
    other_plan = Plan.objects.create(child=other, language="en", updated_by=alice, next_review_on=TODAY())
    other_goal = Goal.objects.create(plan=other_plan, text="Another child's goal")
    with pytest.raises(Http404):
        outcome_services.rate_goal(by=sioned, goal=other_goal, value=5, rated_by=RatedBy.CARER, on=TODAY(), key="b")
    done = Goal.objects.get(plan=goals[0].plan, status=GoalStatus.ACHIEVED)
    with pytest.raises(ValidationError) as error:
        outcome_services.rate_goal(by=sioned, goal=done, value=5, rated_by=RatedBy.CARER, on=TODAY(), key="c")
    assert "value" in error.value.message_dict
    assert not GoalRating.objects.exists()


@pytest.mark.parametrize("ending", ["withdrawn", "placement_ended", "revoked", "restricted"])
def test_after_the_access_ends_nothing_is_scored_or_shown(client_for, teen, carer, sioned, goals, alice, ending):
    client = client_for(sioned)
    assert client.get(GOALS).status_code == 200
    if ending == "withdrawn":
        consent_services.withdraw_consent(by=alice, consent=teen.consents.get(), note="The young person asked.")
    elif ending == "placement_ended":
        people_services.record_placement(
            by=alice,
            child=teen,
            values={"type": "kinship", "local_authority_area": teen.responsible_local_authority, "start_date": TODAY()},
        )
    elif ending == "revoked":
        SpaceAccount.objects.filter(user=sioned).update(revoked_at=timezone.now(), revoked_by=alice)
    else:
        carer.contact_restricted = True
        carer.save()
    for response in (client.get(GOALS), rate(client, goals[0], "5"), client.get(FEEDBACK)):
        body = response.content.decode()
        assert response.status_code == 404
        assert "Feel calmer" not in body and teen.given_name not in body
    with pytest.raises(Http404):
        outcome_services.rate_goal(by=sioned, goal=goals[0], value=5, rated_by=RatedBy.CARER, on=TODAY(), key="z")
    with pytest.raises(Http404):
        outcome_feedback.record_named_feedback(
            by=sioned, child=teen, respondent=Respondent.CARER, given_on=TODAY(),
            answers=_answers(listened="yes"), key="z",
        )  # fmt: skip
    assert not GoalRating.objects.exists() and not NamedFeedback.objects.exists()


def test_the_carer_never_sees_the_young_persons_own_scores(client_for, teen, carer, alice, goals):
    """Outcome scores in the consent do not open them: the existing rule shares scores with a
    partner for a working purpose (children_sharing_scores), never with a person at home."""
    user = carer_account(teen, carer, alice)
    support_consent(alice, teen, carer, items=["plan", "outcomes"])
    young = UserFactory(username="sion", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=young, child=teen, created_by=alice)
    outcome_services.rate_goal(by=young, goal=goals[0], value=9, rated_by=RatedBy.YOUNG_PERSON, on=TODAY(), key="y")
    outcome_services.rate_goal(
        by=alice, goal=goals[1], value=8, rated_by=RatedBy.WITH_PRACTITIONER, on=TODAY(), key="p"
    )
    page = client_for(user).get(GOALS).content.decode()
    assert "9 out of 10" not in page and "8 out of 10" not in page
    assert "someone else" not in page
    # And the young person's "Your last score" is theirs, never the carer's.
    outcome_services.rate_goal(by=user, goal=goals[0], value=2, rated_by=RatedBy.CARER, on=TODAY(), key="c")
    own = client_for(young).get(reverse("myspace:goals")).content.decode()
    assert "Your last score: 9 out of 10" in own and "2 out of 10" not in own
    assert "Your last score: 2 out of 10" in client_for(user).get(GOALS).content.decode()


def test_where_the_existing_rule_shares_the_scores_the_page_follows_it(client_for, teen, carer, alice, goals):
    """The page asks outcomes' rule (children_sharing_scores), not a rule of its own: a carer
    account that is also named by a working consent for outcome scores (an organisation's) is
    shown the latest score from someone else."""
    school = Organisation.objects.filter(type="education").first() or Organisation.objects.exclude(type="service")[0]
    user = UserFactory(username="sioned", organisation=school, role=Role.CARER)
    SpaceAccount.objects.create(user=user, child=teen, related_person=carer, created_by=alice)
    support_consent(alice, teen, carer)
    consent_services.record_consent(
        by=alice, child=teen,
        values={
            "items": ["outcomes"], "recipient_kind": "organisation", "recipient_organisation": school,
            "purposes": ["joint_assessment"], "decider": "young_person", "competence_judgement": "Understands.",
            "young_person_views": "Fine.", "how_given": "in_person", "given_on": TODAY(),
            "lawful_basis": "health_social_care",
        },
    )  # fmt: skip
    outcome_services.rate_goal(
        by=alice, goal=goals[0], value=8, rated_by=RatedBy.WITH_PRACTITIONER, on=TODAY(), key="p"
    )
    page = client_for(user).get(GOALS).content.decode()
    assert "Latest score from someone else: 8 out of 10 (The practitioner with the young person)" in page


def test_the_practitioner_sees_the_carers_rating_as_a_carers_on_the_chart_and_the_summary(
    client_for, teen, sioned, goals, alice
):
    episode_services.open_episode(
        by=alice, child=teen, opened_on=TODAY() - datetime.timedelta(days=30), opened_from="returning"
    )
    rate(client_for(sioned), goals[0], "6")
    body = client_for(alice).get(reverse("outcomes:child_outcomes", args=[teen.pk])).content.decode()
    summary = body.split("All ratings", 1)[1].split("</table>", 1)[0]
    assert "6 (A carer) (between measurement points: not counted)" in summary
    chart_table = body.split("Over time", 1)[1]
    assert "A carer" in chart_table and "Feel calmer at bedtime" in chart_table


# --- Feedback on the support ----------------------------------------------------------------------


def _answers(**given) -> outcome_feedback.FeedbackInput:
    answers: outcome_feedback.FeedbackInput = {
        "listened": "", "could_choose": "", "knew_contact": "", "good_time": "", "would_recommend": "",
        "anything_else": "",
    }  # fmt: skip
    answers.update(given)  # type: ignore[typeddict-item]
    return answers


def _form_key(client) -> str:
    import re

    page = client.get(FEEDBACK).content.decode()
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def test_the_home_offers_feedback_with_or_without_a_name(client_for, sioned, south):
    home = client_for(sioned).get(reverse("myspace:home")).content.decode()
    assert FEEDBACK in home and "Answer with your name" in home
    anonymous = reverse("public_feedback_form", kwargs={"code": south.code, "who": "carer"})
    assert anonymous in home and "Answer without your name" in home


def test_a_named_carers_feedback_goes_through_the_one_service_and_the_care_team_sees_it(
    client_for, teen, sioned, alice
):
    client = client_for(sioned)
    page = client.get(FEEDBACK).content.decode()
    assert "The young person and I could make choices about the support" in page  # the carer's wording
    assert "Answer without your name" in page
    key = _form_key(client)
    data = {"listened": "yes", "good_time": "sort_of", "anything_else": "The evening sessions helped.", "key": key}
    response = client.post(FEEDBACK, data)
    assert response.status_code == 302 and response["Location"] == reverse("myspace:home")
    client.post(FEEDBACK, data)  # sent twice: stored once
    item = NamedFeedback.objects.get()
    assert (item.child, item.respondent, item.recorded_by, item.given_on, item.service) == (
        teen, Respondent.CARER, sioned, TODAY(), teen.service
    )  # fmt: skip
    assert (item.listened, item.good_time, item.could_choose, item.text_language) == ("yes", "sort_of", "", "en")
    event = AuditEvent.objects.get(actor=sioned, action=Action.CREATE, object_type="outcomes.namedfeedback")
    assert (event.route, event.child_id, event.detail["respondent"]) == (Route.SELF, teen.pk, "carer")
    assert AuditEvent.objects.filter(actor=sioned, action=Action.VIEW, detail__page="myspace:carer_feedback").exists()
    outcomes = client_for(alice).get(reverse("outcomes:child_outcomes", args=[teen.pk])).content.decode()
    assert "A parent or carer" in outcomes and "The evening sessions helped." in outcomes
    assert sioned.get_full_name() in outcomes.split("Recorded by", 1)[1]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"anything_else": "<b>hello</b>"}, None),
        ({}, "Answer at least one question, or write something in the box"),
        ({"listened": "maybe"}, None),
    ],
)
def test_bad_feedback_is_explained_kept_and_nothing_saved(client_for, sioned, data, error):
    client = client_for(sioned)
    response = client.post(FEEDBACK, {**data, "key": _form_key(client)})
    body = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in body
    if error:
        assert error in body
    if "anything_else" in data:
        assert "&lt;b&gt;hello&lt;/b&gt;" in body  # kept, escaped
    assert not NamedFeedback.objects.exists()


def test_a_carer_gives_only_their_own_feedback_today(sioned, teen):
    with pytest.raises(PermissionDenied):
        outcome_feedback.record_named_feedback(
            by=sioned,
            child=teen,
            respondent=Respondent.YOUNG_PERSON,
            given_on=TODAY(),
            answers=_answers(listened="yes"),
        )
    with pytest.raises(PermissionDenied):
        outcome_feedback.record_named_feedback(
            by=sioned, child=teen, respondent=Respondent.CARER, given_on=TODAY() - datetime.timedelta(days=3),
            answers=_answers(listened="yes"),
        )  # fmt: skip
    assert not NamedFeedback.objects.exists()


def test_a_key_from_someone_elses_form_is_refused(sioned, teen, alice):
    outcome_feedback.record_named_feedback(
        by=alice, child=teen, respondent=Respondent.CARER, given_on=TODAY(), answers=_answers(listened="no"), key="k"
    )
    with pytest.raises(PermissionDenied):
        outcome_feedback.record_named_feedback(
            by=sioned, child=teen, respondent=Respondent.CARER, given_on=TODAY(), answers=_answers(listened="yes"),
            key="k",
        )  # fmt: skip
    assert NamedFeedback.objects.get().listened == "no"


def test_without_a_name_it_is_the_public_anonymous_page_and_nothing_names_the_carer(client_for, sioned, south):
    """The anonymous choice is the service's public page (ADR 018): stored with only service,
    quarter, respondent kind and answers, no audit event, whoever is signed in."""
    client = client_for(sioned)
    url = reverse("public_feedback_form", kwargs={"code": south.code, "who": "carer"})
    page = client.get(url).content.decode()
    assert "Nobody can reply to what you write here" in page
    import re

    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    before = AuditEvent.objects.filter(actor=sioned).count()
    response = client.post(url, {"listened": "yes", "anything_else": "Thanks", "key": key})
    assert response.status_code == 302
    answer = AnonymousFeedback.objects.get()
    assert (answer.service, answer.respondent, answer.listened) == (south, Respondent.CARER, "yes")
    assert not NamedFeedback.objects.exists()
    assert AuditEvent.objects.filter(actor=sioned).count() == before


def test_the_feedback_page_in_welsh(client_for, sioned):
    body = client_for(sioned).get("/cy/my/carer/feedback/").content.decode()
    assert "Dywedwch wrthon ni am y cymorth" in body
    assert "Tell us about the support" not in body


# --- Who opens the carer's pages --------------------------------------------------------------------


def test_a_young_person_and_staff_never_open_the_carers_pages(client_for, teen, alice, manager, charlie, sioned):
    young = UserFactory(username="sion", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=young, child=teen, created_by=alice)
    for user in (young, alice, manager, charlie):
        client = client_for(user)
        for url in (GOALS, FEEDBACK):
            assert client.get(url).status_code == 404, (user.username, url)
            assert client.post(url, {"listened": "yes"}).status_code == 404, (user.username, url)
    assert not NamedFeedback.objects.exists()


def test_the_carers_pages_are_readable(client_for, sioned, goals):
    client = client_for(sioned)
    scored = []
    for name, url in {"goals": GOALS, "feedback": FEEDBACK}.items():
        response = client.get(url)
        assert response.status_code == 200, name
        scored += [(block, name) for block in readable.scored_blocks(response.content.decode())]
    assert {name for _block, name in scored} == {"goals", "feedback"}
    too_hard = [
        f"{block.grade:.1f} ({name}): {block.text}" for block, name in scored if block.grade > readable.MAX_GRADE
    ]
    assert not too_hard, too_hard


def test_the_welsh_home_offers_the_new_pages(client_for, sioned, goals):
    with translation.override("cy"):
        body = client_for(sioned).get(reverse("myspace:home")).content.decode()
    assert "Eu nodau" in body and "/cy/my/carer/goals/" in body
    assert "Atebwch heb eich enw" in body
