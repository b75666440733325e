"""Demo staff records: practice levels, Welsh skills, training relevant to the guidance and
supervision for the service's manager and practitioners. Invented and clearly fictional.

``seed`` is idempotent: each member of staff's record comes from a generator of their own
(``Random`` seeded from their account), and a part already there (profile, training or
supervision) is not added again. ``rng`` varies only the providers' wording.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from workforce.models import PracticeLevel, StaffProfile, StaffTraining, Supervision, TrainingTopic, WelshLevel

if TYPE_CHECKING:
    from accounts.models import Organisation, User

PRACTICE_WEIGHTS = {
    PracticeLevel.AWARE: 15,
    PracticeLevel.SKILLED: 45,
    PracticeLevel.ENHANCED: 30,
    PracticeLevel.SPECIALIST: 10,
}
WELSH_WEIGHTS = {
    WelshLevel.NONE: 25,
    WelshLevel.ENTRY: 20,
    WelshLevel.FOUNDATION: 15,
    WelshLevel.INTERMEDIATE: 10,
    WelshLevel.ADVANCED: 10,
    WelshLevel.PROFICIENCY: 20,
}
PROVIDERS = [
    "ACE Hub Wales (demo)",
    "Health board psychology team (demo)",
    "Social Care Wales learning (demo)",
    "Nyth in-house training (demo)",
    "Trauma-informed practice course, Prifysgol Enghraifft (demo)",
]
TOPICS = [
    TrainingTopic.BRAIN_DEVELOPMENT,
    TrainingTopic.ATTACHMENT,
    TrainingTopic.IMPACT_OF_TRAUMA,
    TrainingTopic.TRAUMA_INFORMED,
]
#: Every n-th member of staff has overdue supervision in the demo (so the flag shows).
OVERDUE_EVERY = 7


def _own_rng(user: User, purpose: str) -> random.Random:
    return random.Random(f"nyth-demo:workforce:{purpose}:{user.pk}")  # noqa: S311 - synthetic data, not security


_K = TypeVar("_K")


def _weighted(own: random.Random, weights: Mapping[_K, float]) -> _K:
    keys = list(weights)
    return own.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[object],
    rng: random.Random,
) -> None:
    """A staff record, training and supervision for each member of the service's staff."""
    staff = [user for user in [manager, *practitioners] if user.organisation_id == service.pk]
    staff = list({user.pk: user for user in staff}.values())
    if not staff:
        return
    ids = [user.pk for user in staff]
    have_profile = set(StaffProfile.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    have_training = set(StaffTraining.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    have_supervision = set(Supervision.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    today = timezone.localdate()
    profiles, trainings, supervisions = [], [], []
    # The manager's own supervisor: a senior practitioner (or the manager records their own external one).
    senior = next((user for user in staff if user.pk != manager.pk), manager)
    for index, user in enumerate(staff):
        own = _own_rng(user, "record")
        is_manager = user.pk == manager.pk
        if user.pk not in have_profile:
            level = _weighted(own, PRACTICE_WEIGHTS)
            if is_manager and level in (PracticeLevel.AWARE, PracticeLevel.SKILLED):
                level = PracticeLevel.ENHANCED
            profiles.append(
                StaffProfile(
                    user=user,
                    practice_level=level,
                    practice_level_on=today - timedelta(days=own.randint(30, 700)),
                    welsh_level=_weighted(own, WELSH_WEIGHTS),
                    supervision_every_weeks=own.choice([4, 6, 6, 8]),
                    updated_by=manager,
                )
            )
        if user.pk not in have_training:
            for topic in own.sample(TOPICS, k=own.randint(2, 4)):
                trainings.append(
                    StaffTraining(
                        user=user,
                        topic=topic,
                        completed_on=today - timedelta(days=own.randint(10, 1100)),
                        provider=rng.choice(PROVIDERS),
                        hours=Decimal(own.choice(["3", "3.5", "6", "7.5", "14", "21"])),
                        recorded_by=manager,
                    )
                )
        supervisor = senior if is_manager else manager
        if user.pk not in have_supervision and supervisor.pk != user.pk:
            overdue = index % OVERDUE_EVERY == OVERDUE_EVERY - 1
            last = today - timedelta(days=own.randint(60, 120) if overdue else own.randint(3, 35))
            for number in range(own.randint(3, 6)):
                held = last - timedelta(weeks=6 * number)
                supervisions.append(
                    Supervision(
                        user=user,
                        held_on=held,
                        supervisor=supervisor,
                        next_due=held + timedelta(weeks=6),
                        recorded_by=manager,
                    )
                )
    if profiles:
        bulk_create_with_history(profiles, StaffProfile, batch_size=500)
    if trainings:
        bulk_create_with_history(trainings, StaffTraining, batch_size=1000)
    if supervisions:
        bulk_create_with_history(supervisions, Supervision, batch_size=1000)
