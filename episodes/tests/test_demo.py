"""The demo episodes and transitions: deterministic, idempotent, consistent with the rules."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from episodes import demo
from episodes.models import Episode, EpisodeEvent, Transition, TransitionChecklistItem
from people.models import CareTeamMembership
from people.tests.factories import ChildFactory, PlacementFactory, RelatedPersonFactory
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _children(south, alice):
    today = timezone.localdate()
    kids = []
    for index in range(40):
        age = [5, 11, 14, 17, 19][index % 5]
        kid = ChildFactory(
            service=south,
            date_of_birth=today.replace(year=today.year - age) - datetime.timedelta(days=10),
            preferred_language="cy" if index % 3 == 0 else "en",
        )
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
        RelatedPersonFactory(child=kid)
        PlacementFactory(child=kid, start_date=today - datetime.timedelta(days=400))
        PlacementFactory(child=kid, start_date=today - datetime.timedelta(days=20 + index))
        if index % 2:
            ReferralFactory(service=south, child=kid)
        kids.append(kid)
    return kids


def test_demo_seed_is_deterministic_and_idempotent(south, manager, alice, bob):
    kids = _children(south, alice)
    demo.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(5))
    counts = (
        Episode.objects.count(),
        EpisodeEvent.objects.count(),
        Transition.objects.count(),
        TransitionChecklistItem.objects.count(),
    )
    assert 20 < counts[0] < 40 and counts[2] > 10
    assert Episode.history.count() == counts[0]
    demo.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(99))
    assert (
        Episode.objects.count(),
        EpisodeEvent.objects.count(),
        Transition.objects.count(),
        TransitionChecklistItem.objects.count(),
    ) == counts

    # The same rules as the pages: one event log per episode that opens first and ends where
    # the status says, closures carry the young person's words, versions count the changes.
    for episode in Episode.objects.prefetch_related("events"):
        kinds = [event.kind for event in episode.events.all()]
        assert kinds[0] == "opened"
        expected = {"opened": "open", "resumed": "open", "reopened": "open", "paused": "paused", "closed": "closed"}[
            kinds[-1]
        ]
        assert episode.status == expected
        assert episode.version == len(kinds)
        assert [e.on for e in episode.events.all()] == sorted(e.on for e in episode.events.all())
    assert all(e.young_person_words and e.practitioner_judgement for e in EpisodeEvent.objects.filter(kind="closed"))
    assert (
        Transition.objects.filter(kind="adulthood").exists()
        and Transition.objects.filter(kind="placement_move").exists()
    )
    for transition in Transition.objects.filter(status="done"):
        assert not transition.checklist.filter(done_on__isnull=True).exists()
    assert all(t.child.age >= 16 for t in Transition.objects.filter(kind="adulthood"))
