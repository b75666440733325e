"""Demo data for the nest: the young person's view of the adults around them, who has been told
about the support, training in responding therapeutically, and a few more trusted adults
(sports coaches, play workers, advocates). Invented and clearly fictional; phone numbers come
from Ofcom's range reserved for drama (07700 900000–900999), never a real line.

``seed`` is idempotent: every decision about a young person or an adult is made by a generator
of their own (``Random`` seeded from the record), and only what is missing is added, so a second
call – with any state of ``rng`` – changes nothing. ``rng`` varies wording only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from people.models import NestTraining, NestTrainingTopic, RelatedPerson, RelationshipRole
from workforce.models import PracticeLevel

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from people.models import Child

#: Roles the service tells about the support and trains (carers and the professionals closest).
TRUSTED_ROLES = frozenset(
    {
        RelationshipRole.FOSTER_CARER,
        RelationshipRole.KINSHIP_CARER,
        RelationshipRole.ADOPTIVE_PARENT,
        RelationshipRole.SPECIAL_GUARDIAN,
        RelationshipRole.RESIDENTIAL_WORKER,
        RelationshipRole.TEACHER,
        RelationshipRole.YOUTH_WORKER,
        RelationshipRole.SPORTS_COACH,
        RelationshipRole.PLAY_WORKER,
        RelationshipRole.ADVOCATE,
        RelationshipRole.YOUTH_JUSTICE_WORKER,
    }
)
VIEWS_EN = [
    "Safe. They listen and they don't give up on me.",
    "Alright. I can talk to them about football but not about home.",
    "I trust them. They always come when they say they will.",
    "Kind but strict. I like that they keep things the same.",
    "I don't know them very well yet.",
    "They make me laugh and they remember things I tell them.",
]
VIEWS_CY = [
    "Saff. Maen nhw'n gwrando a dydyn nhw ddim yn rhoi'r gorau i fi.",
    "Iawn. Dwi'n gallu siarad â nhw am bêl-droed ond dim am adref.",
    "Dwi'n ymddiried ynddyn nhw. Maen nhw wastad yn dod pan maen nhw'n dweud.",
    "Dwi ddim yn eu nabod nhw'n dda eto.",
]
EXTRA_ADULTS = [
    (RelationshipRole.SPORTS_COACH, "Clwb Hoci Bro Taf (demo)"),
    (RelationshipRole.PLAY_WORKER, "Cwtch Play Scheme (demo)"),
    (RelationshipRole.ADVOCATE, "Tros Gynnal Plant (demo)"),
    (RelationshipRole.YOUTH_WORKER, "Youth club (demo)"),
]
FIRST = [
    "Sioned",
    "Gareth",
    "Rhian",
    "Bethan",
    "Mark",
    "Helen",
    "Delyth",
    "Geraint",
    "Iestyn",
    "Llinos",
    "Catrin",
    "Hywel",
]
LAST = ["Jones", "Evans", "Lloyd", "Powell", "Rees", "Morgan", "Pugh", "Bowen", "Khan", "Mensah"]


def _own_rng(purpose: str, pk: int) -> random.Random:
    return random.Random(f"nyth-demo:{purpose}:{pk}")  # noqa: S311 - synthetic data, not security


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    """Fill in the nest for the service's young people. Adds only what is missing."""
    children = [child for child in children if child.service_id == service.pk]
    if not children:
        return
    staff = list(practitioners) or [manager]
    today = timezone.localdate()
    welsh = {child.pk for child in children if child.preferred_language == "cy"}

    # A few more trusted adults: a coach, a play worker, an advocate… (one per chosen child).
    wanted = {}
    for child in children:
        own = _own_rng("nest-extra", child.pk)
        if own.random() < 0.35:
            role, organisation = own.choice(EXTRA_ADULTS)
            wanted[child.pk] = (child, f"{own.choice(FIRST)} {own.choice(LAST)}", role, organisation)
    existing = set(RelatedPerson.objects.filter(child__service=service).values_list("child_id", "name", "role"))
    extra = [
        RelatedPerson(
            child=child,
            name=name,
            role=role,
            organisation_name=organisation,
            notes=rng.choice(["Met through the youth club.", "Weekly sessions.", "Chosen by the young person."]),
        )
        for child, name, role, organisation in wanted.values()
        if (child.pk, name, str(role)) not in existing
    ]
    if extra:
        bulk_create_with_history(extra, RelatedPerson, batch_size=1000)

    # The young person's view, who was told about the support, and contact details with permission.
    # Whole-service queries (not ``__in`` a list of thousands: SQLite limits parameters).
    ours = {child.pk for child in children}
    people = [p for p in RelatedPerson.objects.filter(child__service=service).order_by("pk") if p.child_id in ours]
    changed = []
    for person in people:
        # Every draw is made whatever is already filled in, so a second call decides the same.
        own = _own_rng("nest-person", person.pk)
        view_roll, view = own.random(), own.choice(VIEWS_CY if person.child_id in welsh else VIEWS_EN)
        informed_roll, informed_days, informer = own.random(), own.randrange(10, 400), staff[own.randrange(len(staff))]
        phone_roll, phone = own.random(), f"07700 900{own.randrange(1000):03d}"
        touched = False
        if not person.young_person_view and view_roll < 0.55:
            person.young_person_view = view
            touched = True
        if person.role in TRUSTED_ROLES and person.informed_on is None and informed_roll < 0.7:
            person.informed_on = today - timedelta(days=informed_days)
            person.informed_by = informer
            touched = True
        if person.contact_permitted and not person.phone and phone_roll < 0.6:
            person.phone = phone
            touched = True
        if touched:
            changed.append(person)
    if changed:
        bulk_update_with_history(
            changed, RelatedPerson, ["young_person_view", "informed_on", "informed_by", "phone"], batch_size=1000
        )

    # Training in how to respond therapeutically, for about half of those told about the support.
    trained = set(
        NestTraining.objects.filter(related_person__child__service=service).values_list("related_person_id", flat=True)
    )
    trainings = []
    for person in people:
        own = _own_rng("nest-training", person.pk)
        if own.random() >= 0.5 or person.pk in trained or person.informed_on is None:
            continue
        topics = [NestTrainingTopic.TRAUMA_ATTACHMENT, NestTrainingTopic.RESPONDING, NestTrainingTopic.SAFETY_PLAN]
        for index in range(own.randint(1, 2)):
            given_on = min(today, person.informed_on + timedelta(days=own.randrange(7, 90) + index * 30))
            trainer = staff[own.randrange(len(staff))]
            trainings.append(
                NestTraining(
                    related_person=person,
                    topic=topics[(own.randrange(3) + index) % 3],
                    # Carers start at "trauma aware"; a second session goes on to "trauma skilled".
                    practice_level=(PracticeLevel.AWARE, PracticeLevel.SKILLED)[index % 2],
                    given_on=given_on,
                    trainer=trainer,
                    recorded_by=trainer,
                )
            )
    if trainings:
        bulk_create_with_history(trainings, NestTraining, batch_size=1000)
