"""Demo outcome measures: invented series for the demo service's current episodes.

Each young person with current support (and no measurement points yet) gets one story, decided
by a generator of their own (``Random`` seeded from the record) so the same data comes back:
SWEMWBS **improving**, **deteriorating** or **unchanged** between the start and a review, or the
measures **declined** at the start. Goals in the plan get GBO ratings that follow the story. ``rng`` is unused: every value is
fixed by the story so the categories are the ones named.
Each also has a review still waiting – overdue for every other one, due soon for the rest – so
the due and overdue measures show on the caseload, the record and the manager's page.
Idempotent: a young person who already has points gets no more. Bulk inserts, no audit events
(synthetic set-up, like the other apps' demo data).

Feedback on the support (``seed_feedback``): last quarter's anonymous answers, enough for the
manager's summary to show counts, a [c] and the free text, and named feedback from a carer on
two young people's records. Invented words; idempotent per service.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from episodes.models import Episode, EpisodeStatus
from outcomes import scoring
from outcomes.feedback import quarter_of
from outcomes.models import (
    AnonymousFeedback,
    GoalRating,
    Instrument,
    Measurement,
    MeasurementPoint,
    NamedFeedback,
    PointStatus,
)
from plans.models import Goal, GoalStatus

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from people.models import Child

STORIES = ("improving", "deteriorating", "unchanged", "declined")
#: SWEMWBS raw totals (start, review) per story: 17.43 → 22.35, 22.35 → 17.43, 19.25 → 19.98.
RAW = {"improving": (18, 25), "deteriorating": (25, 18), "unchanged": (21, 22)}
GBO = {"improving": (2, 7), "deteriorating": (6, 2), "unchanged": (4, 5)}


def _items(total: int) -> dict[str, int]:
    """Seven item answers (1–5) summing to ``total``, spread as evenly as possible."""
    base, extra = divmod(total, 7)
    return {str(n): base + (1 if n <= extra else 0) for n in range(1, 8)}


def _next_review(episode: Episode, *, last: date, overdue: bool, rng: random.Random, today: date) -> None:
    """A review point still waiting after the last one: overdue (a few weeks ago, when that is
    after the last point) or due within the next fortnight."""
    due_on = today - timedelta(days=rng.randint(3, 30))
    if not overdue or due_on <= last:
        due_on = today + timedelta(days=rng.randint(1, 13))
    MeasurementPoint.objects.create(child=episode.child, episode=episode, kind="review", due_on=due_on)


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    seed_feedback(service=service, manager=manager, children=children)
    swemwbs = Instrument.objects.filter(code="swemwbs").first()
    if swemwbs is None:
        return
    done = set(MeasurementPoint.objects.filter(child__in=children).values_list("child_id", flat=True))
    episodes = Episode.objects.filter(child__in=children).exclude(status=EpisodeStatus.CLOSED).select_related("child")
    today = timezone.localdate()
    seeded = 0
    for episode in episodes:
        child = episode.child
        if child.pk in done or not swemwbs.valid_for_age(child.age_on(today)):
            continue
        own = random.Random(f"outcomes-{child.pk}")  # noqa: S311 - synthetic demo data
        story = own.choice(STORIES)
        start_on = episode.opened_on
        start = MeasurementPoint.objects.create(child=child, episode=episode, kind="start", due_on=start_on)
        # The next review waits, overdue for every other young person and due soon for the rest,
        # so the caseload, the record and the manager's list all have something to show.
        _next_review(episode, last=start_on if story == "declined" else min(start_on + timedelta(days=90), today),
                     overdue=seeded % 2 == 0, rng=own, today=today)  # fmt: skip
        seeded += 1
        if story == "declined":
            MeasurementPoint.objects.filter(pk=start.pk).update(
                status=PointStatus.NOT_DONE, not_done_reason="declined", taken_on=start_on, recorded_by=manager
            )
            continue
        review_on = min(start_on + timedelta(days=90), today)
        review = MeasurementPoint.objects.create(child=child, episode=episode, kind="review", due_on=review_on)
        goals = list(Goal.objects.filter(plan__child=child, status=GoalStatus.ACTIVE).order_by("order", "pk")[:3])
        for point, raw, gbo in ((start, RAW[story][0], GBO[story][0]), (review, RAW[story][1], GBO[story][1])):
            MeasurementPoint.objects.filter(pk=point.pk).update(
                status=PointStatus.DONE, taken_on=point.due_on, source="with_practitioner", recorded_by=manager
            )
            Measurement.objects.create(
                child=child, point=point, instrument=swemwbs, responses=_items(raw), raw_score=Decimal(raw),
                score=scoring.swemwbs_metric(raw), taken_on=point.due_on, source="with_practitioner", recorded_by=manager,
            )  # fmt: skip
            GoalRating.objects.bulk_create(
                GoalRating(child=child, goal=goal, point=point, value=gbo,
                           rated_by="young_person", rated_on=point.due_on, recorded_by=manager)
                for goal in goals
            )  # fmt: skip


#: Last quarter's anonymous answers: (respondent, listened, could choose, knew who to contact,
#: good time, would recommend, words). Twelve, so the summary shows counts, [c] and the words.
ANONYMOUS = [
    ("young_person", "yes", "yes", "yes", "sort_of", "yes", "Talking every week helped me sleep better."),
    ("young_person", "yes", "sort_of", "yes", "yes", "yes", ""),
    ("young_person", "yes", "yes", "no", "yes", "sort_of", "I did not know who to ring in the holidays."),
    ("young_person", "sort_of", "yes", "yes", "yes", "yes", ""),
    ("young_person", "yes", "yes", "yes", "no", "yes", "It came after I moved school, so a bit late."),
    ("young_person", "yes", "", "yes", "yes", "yes", ""),
    ("carer", "yes", "yes", "yes", "yes", "yes", "Roedd y sesiynau i ofalwyr yn help mawr."),
    ("carer", "yes", "sort_of", "yes", "sort_of", "yes", ""),
    ("carer", "yes", "yes", "yes", "yes", "yes", ""),
    ("carer", "no", "sort_of", "yes", "yes", "sort_of", "We waited a long time for the first session."),
    ("professional", "yes", "yes", "yes", "yes", "yes", ""),
    ("professional", "yes", "yes", "sort_of", "yes", "yes", ""),
]


def _previous_quarter(day: date) -> str:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return quarter_of(first - timedelta(days=1))


def seed_feedback(*, service: Organisation, manager: User, children: Sequence[Child]) -> None:
    if AnonymousFeedback.objects.filter(service=service).exists():
        return
    today = timezone.localdate()
    quarter = _previous_quarter(today)
    fields = ("respondent", "listened", "could_choose", "knew_contact", "good_time", "would_recommend", "anything_else")
    AnonymousFeedback.objects.bulk_create(
        AnonymousFeedback(service=service, quarter=quarter, **dict(zip(fields, row, strict=True)),
                          text_language=("cy" if row[-1].startswith("Roedd") else "en") if row[-1] else "")
        for row in ANONYMOUS
    )  # fmt: skip
    given_on = today - timedelta(days=20)
    NamedFeedback.objects.bulk_create(
        NamedFeedback(
            child=child, service=service, quarter=quarter_of(given_on), respondent="carer", given_on=given_on,
            recorded_by=manager, listened="yes", could_choose="yes", knew_contact="sort_of", good_time="yes",
            would_recommend="yes", anything_else="The evening sessions fitted round school.", text_language="en",
        )
        for child in list(children)[:2]
    )  # fmt: skip
