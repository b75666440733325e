"""Access reviews: a young person older than the service's range, or whose last episode closed
long ago, is put to the service's managers (the daily sweep, route system, idempotent); they
keep their access until a manager keeps it (why, next date) or ends it."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent, Route
from episodes.models import Episode, EpisodeEvent, EpisodeStatus, EventKind
from myspace import reviews
from myspace.models import AccessReview, ReviewDecision, ReviewReason, SpaceAccount

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def young_person(child, alice):
    child.date_of_birth = TODAY() - datetime.timedelta(days=20 * 366)
    child.save()
    user = UserFactory(username="sion", first_name="Siôn", last_name="", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    return user


def _turn(child, years_and_days: int) -> None:
    """Make ``child`` this many days past their 26th birthday (negative: before it)."""
    birthday = TODAY().replace(year=TODAY().year - 26)
    child.date_of_birth = birthday - datetime.timedelta(days=years_and_days)
    child.save()


def _closed_episode(child, alice, days_ago: int) -> Episode:
    episode = Episode.objects.create(
        child=child, opened_on=TODAY() - datetime.timedelta(days=900), opened_from="referral",
        status=EpisodeStatus.CLOSED, opened_by=alice,
    )  # fmt: skip
    EpisodeEvent.objects.create(
        episode=episode, kind=EventKind.CLOSED, on=TODAY() - datetime.timedelta(days=days_ago), recorded_by=alice
    )
    return episode


def test_turning_26_opens_one_review_and_the_account_keeps_working(client_for, young_person, child):
    _turn(child, -1)  # 25, the day before
    assert reviews.sweep() == 0
    _turn(child, 0)  # their 26th birthday
    call_command("review_space_access", stdout=open("/dev/null", "w"))  # noqa: SIM115
    review = AccessReview.objects.get()
    assert (review.reason, review.account.user) == (ReviewReason.AGE, young_person)
    event = AuditEvent.objects.get(action=Action.CREATE, child_id=child.pk)
    assert (event.actor_id, event.route) == (None, Route.SYSTEM)
    # Idempotent: the next days' sweeps open nothing more.
    assert reviews.sweep() == 0 and reviews.sweep(TODAY() + datetime.timedelta(days=1)) == 0
    assert AccessReview.objects.count() == 1
    # Never a silent loss: they still sign in to their space.
    assert client_for(young_person).get(reverse("myspace:home")).status_code == 200


def test_an_episode_closed_long_ago_opens_a_review(young_person, child, alice, settings):
    settings.NYTH_SPACE_REVIEW_AFTER_CLOSE_DAYS = 180
    episode = _closed_episode(child, alice, days_ago=179)
    assert reviews.sweep() == 0
    EpisodeEvent.objects.filter(episode=episode).update(on=TODAY() - datetime.timedelta(days=180))
    assert reviews.sweep() == 1
    assert AccessReview.objects.get().reason == ReviewReason.EPISODE_CLOSED


def test_an_open_episode_means_no_review(young_person, child, alice):
    _closed_episode(child, alice, days_ago=400)
    Episode.objects.create(child=child, opened_on=TODAY(), opened_from="returning", opened_by=alice)
    assert reviews.sweep() == 0


def test_the_manager_and_the_lead_are_prompted_and_only_the_manager_decides(
    client_for, young_person, child, alice, manager, charlie
):
    _turn(child, 10)
    reviews.sweep()
    for user in (manager, alice):
        home = client_for(user).get(reverse("core:home")).content.decode()
        assert "1 own space account is due for review" in home
        listing = client_for(user).get(reverse("space_access:reviews")).content.decode()
        assert child.display_name in listing
    assert child.display_name not in client_for(charlie).get(reverse("space_access:reviews")).content.decode()
    assert client_for(charlie).get(reverse("space_access:reviews_child", args=[child.pk])).status_code == 404
    page = client_for(alice).get(reverse("space_access:reviews_child", args=[child.pk])).content.decode()
    assert "A service manager decides." in page
    review = AccessReview.objects.get()
    response = client_for(alice).post(
        reverse("space_access:reviews_child", args=[child.pk]), {"review": review.pk, "decision": "end"}
    )
    assert response.status_code == 403
    assert SpaceAccount.objects.get(user=young_person).revoked_at is None


def _keep(client, child, review, **data):
    prefix = f"review-{review.pk}"
    values = {"review": review.pk, "decision": "keep", **{f"{prefix}-{k}": v for k, v in data.items()}}
    return client.post(reverse("space_access:reviews_child", args=[child.pk]), values)


def test_keep_needs_a_reason_and_a_date_then_no_prompt_until_that_date(client_for, young_person, child, manager):
    _turn(child, 10)
    reviews.sweep()
    review = AccessReview.objects.get()
    client = client_for(manager)
    soon = TODAY() + datetime.timedelta(days=90)
    bad = _keep(
        client, child, review, why="ok", **{"next_review_on_day": soon.day, "next_review_on_month": soon.month,
                                           "next_review_on_year": soon.year}
    )  # fmt: skip
    assert bad.status_code == 400 and "Say why they keep their access" in bad.content.decode()
    assert AccessReview.objects.get().decided_at is None  # nothing half-saved
    why = "Still settling into work and seeing their worker monthly"
    good = _keep(
        client, child, review, why=why, **{"next_review_on_day": soon.day, "next_review_on_month": soon.month,
                                           "next_review_on_year": soon.year}
    )  # fmt: skip
    assert good.status_code == 302
    kept = AccessReview.objects.get()
    assert (kept.decision, kept.decided_by, kept.why, kept.next_review_on) == (ReviewDecision.KEEP, manager, why, soon)
    assert SpaceAccount.objects.get(user=young_person).revoked_at is None
    assert AuditEvent.objects.filter(actor=manager, action=Action.REVIEW, child_id=child.pk).exists()
    # No new prompt before the next review date; on it, a new review.
    assert reviews.sweep(soon - datetime.timedelta(days=1)) == 0
    assert reviews.sweep(soon) == 1


def test_a_next_review_date_more_than_a_year_away_is_refused(young_person, child, manager):
    _turn(child, 10)
    reviews.sweep()
    with pytest.raises(Exception, match="within a year"):
        reviews.keep(
            by=manager,
            review=AccessReview.objects.get(),
            why="Still settling into work and seeing their worker",
            next_review_on=TODAY() + datetime.timedelta(days=400),
        )


def test_end_revokes_at_once_and_closes_the_review(client_for, young_person, child, manager):
    _turn(child, 10)
    reviews.sweep()
    phone = client_for(young_person)
    review = AccessReview.objects.get()
    response = client_for(manager).post(
        reverse("space_access:reviews_child", args=[child.pk]), {"review": review.pk, "decision": "end"}
    )
    assert response.status_code == 302
    account = SpaceAccount.objects.get(user=young_person)
    assert account.revoked_at is not None and account.revoked_by == manager
    assert not account.user.is_active
    assert AccessReview.objects.get().decision == ReviewDecision.END
    assert phone.get(reverse("myspace:home")).status_code == 302  # signed out
    assert reviews.sweep() == 0  # a revoked account is not reviewed again


def test_the_sweep_finds_due_accounts_in_queries_that_do_not_grow_with_their_number(young_person, child, alice):
    """Only opening a review writes; finding who is due is one query for any number of accounts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.tests.factories import ChildFactory

    def cost() -> int:
        with CaptureQueriesContext(connection) as run:
            assert reviews.sweep() == 0
        return len(run)

    small = cost()
    for n in range(5):
        kid = ChildFactory(service=child.service, date_of_birth=TODAY() - datetime.timedelta(days=15 * 366))
        _closed_episode(kid, alice, days_ago=10)  # closed lately: not yet due
        user = UserFactory(username=f"yp{n}", organisation=None, role=Role.YOUNG_PERSON)
        SpaceAccount.objects.create(user=user, child=kid, created_by=alice)
    assert cost() == small == 1
