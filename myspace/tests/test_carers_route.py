"""The carer's route, as a property: over random nests, placements, consents, withdrawals and
revocations, a carer reaches exactly the record the rule gives – their account not revoked,
they are the carer on a placement of that young person open today (no contact restriction),
and an in-force consent names them for support at home – and nothing after a withdrawal or
the placement's end. The carer's pages follow it: their home, their goals to score (only when
such a consent shares the plan) and their feedback, and the writes behind them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from consent.models import ConsentDecision
from myspace import carers
from myspace.models import SpaceAccount
from people.models import Child
from people.tests.factories import ChildFactory, PlacementFactory, RelatedPersonFactory
from plans.models import Goal, Plan

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class PlacementSpec:
    child: int
    start: int  # days from today (negative: in the past)
    end: int | None
    carers: frozenset[int]  # people of that child, by index


@dataclass(frozen=True)
class ConsentSpec:
    child: int
    person: int  # index into that child's people... or the other child's (a mismatch)
    person_child: int
    given: int  # days from today
    withdrawn: bool
    support_at_home: bool
    plan: bool = True  # the consent shares the plan (else only outcome scores)


@dataclass(frozen=True)
class AccountSpec:
    child: int
    person_child: int
    person: int
    revoked: bool


@dataclass(frozen=True)
class World:
    people: tuple[int, int]  # how many people in each child's nest
    restricted: frozenset[tuple[int, int]]
    placements: tuple[PlacementSpec, ...]
    consents: tuple[ConsentSpec, ...]
    accounts: tuple[AccountSpec, ...]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    people = (draw(st.sampled_from([1, 1, 2])), draw(st.sampled_from([1, 2])))

    def person_of(child: int) -> int:
        return draw(st.integers(0, people[child] - 1))

    restricted = frozenset(
        draw(st.lists(st.tuples(st.just(0), st.integers(0, people[0] - 1)), max_size=1))
        + draw(st.lists(st.tuples(st.just(1), st.integers(0, people[1] - 1)), max_size=1))
    )
    placements = []
    # Biased towards open placements with carers and consents in force, so that many worlds
    # reach a record and the edges (ends today, starts tomorrow, withdrawn) still come up.
    for _ in range(draw(st.integers(1, 4))):
        child = draw(st.sampled_from([0, 0, 1]))
        start = draw(st.sampled_from([-400, -30, -1, 0, 0, 1]))
        end = draw(st.sampled_from([None, None, None, start, 0, 1, 5]))
        end = None if end is None else max(end, start)
        chosen = frozenset(draw(st.sets(st.integers(0, people[child] - 1), min_size=1, max_size=people[child])))
        placements.append(PlacementSpec(child, start, end, chosen))
    consents = []
    for _ in range(draw(st.integers(1, 5))):
        child = draw(st.sampled_from([0, 0, 1]))
        person_child = draw(st.sampled_from([child, child, child, 1 - child]))
        consents.append(
            ConsentSpec(
                child=child,
                person=person_of(person_child),
                person_child=person_child,
                given=draw(st.sampled_from([-30, -1, 0, 0, 1])),
                withdrawn=draw(st.sampled_from([False, False, True])),
                support_at_home=draw(st.sampled_from([True, True, True, False])),
                plan=draw(st.sampled_from([True, True, False])),
            )
        )
    accounts = []
    for _ in range(draw(st.integers(1, 3))):
        child = draw(st.sampled_from([0, 0, 1]))
        person_child = draw(st.sampled_from([child, child, child, 1 - child]))
        accounts.append(
            AccountSpec(child, person_child, person_of(person_child), draw(st.sampled_from([False, False, True])))
        )
    return World(people, restricted, tuple(placements), tuple(consents), tuple(accounts))


#: Hand-made worlds: the carer on an open placement with a consent in force reaches the record;
#: the same carer whose placement ended today, or whose consent was withdrawn, does not.
REACHES = World(
    people=(1, 1),
    restricted=frozenset(),
    placements=(PlacementSpec(0, -30, None, frozenset({0})),),
    consents=(ConsentSpec(0, 0, 0, -1, False, True),),
    accounts=(AccountSpec(0, 0, 0, False),),
)
#: Reached, but the consent shares the outcome scores and not the plan: no goals to score.
REACHES_WITHOUT_PLAN = World(
    people=(1, 1),
    restricted=frozenset(),
    placements=(PlacementSpec(0, -30, None, frozenset({0})),),
    consents=(ConsentSpec(0, 0, 0, -1, False, True, plan=False),),
    accounts=(AccountSpec(0, 0, 0, False),),
)
REACHES_NOT = World(
    people=(1, 1),
    restricted=frozenset(),
    placements=(PlacementSpec(0, -30, 0, frozenset({0})), PlacementSpec(1, -30, None, frozenset({0}))),
    consents=(ConsentSpec(0, 0, 0, -1, True, True), ConsentSpec(1, 0, 1, -1, False, True)),
    accounts=(AccountSpec(0, 0, 0, False), AccountSpec(1, 1, 0, True), AccountSpec(1, 0, 0, False)),
)


def expected(world: World, account: AccountSpec) -> bool:
    """The rule, written out again over the plain description of the world."""
    if account.revoked or account.person_child != account.child:
        return False
    who = (account.child, account.person)
    if who in world.restricted:
        return False
    placed = any(
        p.child == account.child and account.person in p.carers and p.start <= 0 and (p.end is None or p.end > 0)
        for p in world.placements
    )
    consented = any(
        c.child == account.child
        and (c.person_child, c.person) == who
        and c.given <= 0
        and not c.withdrawn
        and c.support_at_home
        for c in world.consents
    )
    return placed and consented


def expected_goals(world: World, account: AccountSpec) -> bool:
    """Whether the carer may score the goals: reached, and a consent as above shares the plan."""
    return expected(world, account) and any(
        c.child == account.child
        and (c.person_child, c.person) == (account.child, account.person)
        and c.given <= 0
        and not c.withdrawn
        and c.support_at_home
        and c.plan
        for c in world.consents
    )


GOALS = "/en/my/carer/goals/"
FEEDBACK = "/en/my/carer/feedback/"
HOME = "/en/my/"


def carer_pages(user: User) -> dict[str, tuple[int, str]]:
    """The carer's pages as they open them now: status and body."""
    from conftest import sign_in

    client = sign_in(Client(), user)
    opened = {}
    for url in (HOME, GOALS, FEEDBACK):
        response = client.get(url)
        opened[url] = (response.status_code, response.content.decode())
    return opened


def _taken(write, **kwargs) -> bool:
    from django.http import Http404

    try:
        with transaction.atomic():
            write(**kwargs)
    except Http404:
        return False
    return True


def may_write(user: User, kids: list[Child]) -> dict[int, tuple[bool, bool]]:
    """For each young person: whether the carer's goal rating and named feedback are taken (the
    services ask the route again; every write here is rolled back with the example)."""
    from outcomes import feedback, services
    from outcomes.models import RatedBy, Respondent

    today = timezone.localdate()
    answers = {"listened": "yes", "could_choose": "", "knew_contact": "", "good_time": "", "would_recommend": "",
               "anything_else": ""}  # fmt: skip
    return {
        kid.pk: (
            _taken(
                services.rate_goal,
                by=user,
                goal=kid.plan.goals.get(),
                value=5,
                rated_by=RatedBy.CARER,
                on=today,
                key=f"{user.pk}-{kid.pk}-goal",
            ),
            _taken(
                feedback.record_named_feedback,
                by=user,
                child=kid,
                respondent=Respondent.CARER,
                given_on=today,
                answers=answers,
                key=f"{user.pk}-{kid.pk}-feedback",
            ),
        )  # fmt: skip
        for kid in kids
    }


def build(world: World, service, practitioner) -> tuple[list[Child], list]:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    kids = [ChildFactory(service=service), ChildFactory(service=service)]
    people = [
        [
            RelatedPersonFactory(child=kid, name=f"Person {c}-{i}", contact_restricted=(c, i) in world.restricted)
            for i in range(world.people[c])
        ]
        for c, kid in enumerate(kids)
    ]
    for spec in world.placements:
        placement = PlacementFactory(
            child=kids[spec.child],
            start_date=today + spec.start * day,
            end_date=None if spec.end is None else today + spec.end * day,
        )
        placement.carers.set([people[spec.child][i] for i in spec.carers])
    for spec in world.consents:
        ConsentDecision.objects.create(
            child=kids[spec.child],
            recipient_person=people[spec.person_child][spec.person],
            purposes=["support_at_home"] if spec.support_at_home else ["joint_assessment"],
            decider="young_person",
            young_person_views="OK",
            how_given="in_person",
            given_on=today + spec.given * day,
            lawful_basis="health_social_care",
            recorded_by=practitioner,
            withdrawn_at=timezone.now() if spec.withdrawn else None,
            items=["plan"] if spec.plan else ["outcomes"],
        )
    for c, kid in enumerate(kids):
        plan = Plan.objects.create(child=kid, language="en", updated_by=practitioner, next_review_on=today)
        Goal.objects.create(plan=plan, text=f"Goal of young person {c}")
    users = []
    for spec in world.accounts:
        user = UserFactory(role=Role.CARER, organisation=None)
        SpaceAccount.objects.create(
            user=user,
            child=kids[spec.child],
            related_person=people[spec.person_child][spec.person],
            created_by=practitioner,
            revoked_at=timezone.now() if spec.revoked else None,
            revoked_by=practitioner if spec.revoked else None,
        )
        users.append(user)
    return kids, users


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(world=worlds())
@example(world=REACHES)
@example(world=REACHES_WITHOUT_PLAN)
@example(world=REACHES_NOT)
def test_a_carer_reaches_exactly_what_the_rule_gives(world, south, alice):
    with transaction.atomic():
        kids, users = build(world, south, alice)
        for spec, user in zip(world.accounts, users, strict=True):
            want = {kids[spec.child].pk} if expected(world, spec) else set()
            got = set(Child.objects.visible_to(user, include_shared=True).values_list("pk", flat=True))
            assert got == want, (world, spec)
            # Never the whole record, whatever the consent says.
            assert not Child.objects.visible_to(user).exists()
            account = carers.carer_account(user)
            assert (account is not None) == bool(want)
            event("reaches the record" if want else "reaches nothing")
            # The pages: exactly this record's parts, the goals only with the plan shared.
            goals = expected_goals(world, spec)
            event("scores the goals" if goals else "no goals to score")
            pages = carer_pages(user)
            home_status, home = pages[HOME]
            assert home_status == 200
            assert ("Nothing is shared with you now" in home) == (not want), (world, spec)
            assert (GOALS in home) == goals
            goals_status, goals_page = pages[GOALS]
            assert goals_status == (200 if goals else 404), (world, spec)
            assert pages[FEEDBACK][0] == (200 if want else 404), (world, spec)
            for c, kid in enumerate(kids):
                shown = f"Goal of young person {c}" in goals_page
                assert shown == (goals and kid.pk in want), (world, spec)
            # And the writes behind them: taken exactly where the pages are open.
            writes = may_write(user, kids)
            for kid in kids:
                assert writes[kid.pk] == (goals and kid.pk in want, kid.pk in want), (world, spec)
        transaction.set_rollback(True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), withdraw_all=st.booleans())
def test_nothing_after_a_withdrawal_or_the_placements_end(world, withdraw_all, south, alice):
    """Whatever the world, withdrawing every consent – or ending every placement today –
    leaves every carer with nothing, at once."""
    with transaction.atomic():
        kids, users = build(world, south, alice)
        if withdraw_all:
            ConsentDecision.objects.filter(child__in=kids).update(withdrawn_at=timezone.now())
        else:
            for kid in kids:
                kid.placements.filter(end_date__isnull=True).update(end_date=timezone.localdate())
                kid.placements.filter(end_date__gt=timezone.localdate()).update(end_date=timezone.localdate())
        for user in users:
            assert not Child.objects.visible_to(user, include_shared=True).exists()
            assert carers.carer_account(user) is None
            pages = carer_pages(user)
            assert "Nothing is shared with you now" in pages[HOME][1]
            assert pages[GOALS][0] == pages[FEEDBACK][0] == 404
            for kid in kids:
                assert kid.given_name not in "".join(body for _status, body in pages.values())
            assert set(may_write(user, kids).values()) == {(False, False)}
        transaction.set_rollback(True)


def test_the_hand_made_worlds_mean_what_they_say():
    assert expected(REACHES, REACHES.accounts[0]) and expected_goals(REACHES, REACHES.accounts[0])
    account = REACHES_WITHOUT_PLAN.accounts[0]
    assert expected(REACHES_WITHOUT_PLAN, account) and not expected_goals(REACHES_WITHOUT_PLAN, account)
    assert not any(expected(REACHES_NOT, account) for account in REACHES_NOT.accounts)
