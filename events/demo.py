"""Demo significant events and recording periods: invented, for the reports to have something
to count. About one young person in four has events; each of those has a recording period
from a year before their support began (the chronology read at referral) to now.

Idempotent: who has events, and which, is decided by a generator seeded from the record, and
each event's form key names the record and the event's place in its list, so a second call
adds nothing. ``rng`` is not used for the choice, so the same young people are picked each time.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from events.models import EventKind, EventSource, RecordingPeriod, SignificantEvent

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from people.models import Child

SHARE = 0.25
#: Kinds in rough proportion to how often services hear of them.
WEIGHTED = (
    [EventKind.MISSING] * 4
    + [EventKind.SELF_HARM] * 3
    + [EventKind.POLICE] * 3
    + [
        EventKind.EXCLUSION,
        EventKind.EXCLUSION,
        EventKind.PLACEMENT_BREAKDOWN,
        EventKind.ARREST,
        EventKind.RETURN_HOME,
        EventKind.SECURE_APPLICATION,
        EventKind.DOL_APPLICATION,
    ]
)
SOURCES = [
    EventSource.SOCIAL_WORKER,
    EventSource.CARER,
    EventSource.POLICE,
    EventSource.SCHOOL,
    EventSource.YOUNG_PERSON,
]


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    today = timezone.localdate()
    keys = set(SignificantEvent.objects.filter(child__in=children).values_list("form_key", flat=True))
    with_periods = set(RecordingPeriod.objects.filter(child__in=children).values_list("child_id", flat=True))
    events, periods = [], []
    for child in children:
        own = random.Random(f"events-{child.pk}")  # noqa: S311 - synthetic demo data
        if own.random() >= SHARE:
            continue
        first_episode = child.episodes.order_by("opened_on").first()
        support_from = first_episode.opened_on if first_episode else today - datetime.timedelta(days=180)
        start = max(child.date_of_birth, support_from - datetime.timedelta(days=365))
        if child.pk not in with_periods:
            periods.append(
                RecordingPeriod(
                    child=child,
                    starts_on=start,
                    ends_on=None,
                    source="Chronology read at referral (demo)",
                    recorded_by=manager,
                )
            )
        for n in range(own.randint(1, 4)):
            key = f"demo-{child.pk}-{n}"
            if key in keys:
                continue
            span = max(1, (today - start).days)
            events.append(
                SignificantEvent(
                    child=child,
                    kind=own.choice(WEIGHTED),
                    occurred_on=start + datetime.timedelta(days=own.randrange(span)),
                    source=own.choice(SOURCES),
                    recorded_by=manager,
                    form_key=key,
                )
            )
    RecordingPeriod.objects.bulk_create(periods)
    SignificantEvent.objects.bulk_create(events)
