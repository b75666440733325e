"""The demo staff records: deterministic, idempotent, with some supervision overdue."""

from __future__ import annotations

import random

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory
from workforce import demo
from workforce.models import StaffProfile, StaffTraining, Supervision

pytestmark = pytest.mark.django_db


def test_demo_seed_is_deterministic_and_idempotent(south, manager, charlie):
    team = [UserFactory(organisation=south, role=Role.PRACTITIONER) for _ in range(20)]
    demo.seed(service=south, manager=manager, practitioners=[*team, charlie], children=[], rng=random.Random(3))
    counts = (StaffProfile.objects.count(), StaffTraining.objects.count(), Supervision.objects.count())
    assert counts[0] == 21  # the manager and the team; not another service's practitioner
    assert not StaffProfile.objects.filter(user=charlie).exists()
    assert StaffProfile.objects.get(user=manager).practice_level in ("enhanced", "specialist")
    assert StaffTraining.history.count() == counts[1]
    demo.seed(service=south, manager=manager, practitioners=[*team, charlie], children=[], rng=random.Random(42))
    assert (StaffProfile.objects.count(), StaffTraining.objects.count(), Supervision.objects.count()) == counts
    latest = {s.user_id: s for s in Supervision.objects.order_by("held_on")}
    overdue = [s for s in latest.values() if s.is_overdue]
    assert 0 < len(overdue) < len(latest)
