"""Demo: a young person already in their own space (invitation accepted), and their current
carer in theirs, so `make demo` can print both sign-ins. One of the demo practitioner's young people of an age that may be invited,
with current support. Idempotent; synthetic data only."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from accounts.models import Language, Role, User
from consent.models import ConsentDecision, Decider, HowGiven, Item, LawfulBasis, Purpose
from myspace.carers import open_placements as carers_open
from myspace.models import Invitation, SpaceAccount
from people.models import CareTeamMembership, CareTeamRole, RelatedPerson, RelationshipRole

if TYPE_CHECKING:
    from accounts.models import Organisation
    from people.models import Child

USERNAME = "youngperson"
CARER_USERNAME = "carer"
CARER_ROLES = (RelationshipRole.FOSTER_CARER, RelationshipRole.KINSHIP_CARER, RelationshipRole.RESIDENTIAL_WORKER)
DEMO_PASSWORD = "nyth-demo-2026"  # noqa: S105 - synthetic demo account only, printed for newcomers (as seed_demo's)


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    if User.objects.filter(username=USERNAME).exists():
        account = SpaceAccount.objects.filter(user__username=USERNAME).select_related("child").first()
        if account is not None:
            seed_carer(account.child, account.created_by)
        return
    today = timezone.localdate()
    leads = CareTeamMembership.objects.filter(
        user__username="practitioner", role=CareTeamRole.LEAD, ended_at__isnull=True, child__in=children
    ).select_related("child", "user")
    for membership in leads.order_by("child_id"):
        child = membership.child
        age = child.age_on(today)
        if settings.NYTH_SPACE_MIN_AGE <= age <= min(17, settings.NYTH_SPACE_MAX_AGE) and child.episodes.exists():
            break
    else:
        return
    user = User(
        username=USERNAME,
        first_name=child.preferred_name or child.given_name,
        role=Role.YOUNG_PERSON,
        preferred_language=Language.WELSH if child.preferred_language == "cy" else Language.ENGLISH,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    account = SpaceAccount.objects.create(user=user, child=child, created_by=membership.user)
    now = timezone.now()
    Invitation.objects.create(
        token_hash=f"demo-used-{account.pk}",  # never a real link: already used
        child=child,
        role=Role.YOUNG_PERSON,
        created_by=membership.user,
        created_at=now - datetime.timedelta(days=2),
        expires_at=now + datetime.timedelta(days=5),
        used_at=now - datetime.timedelta(days=1),
    )
    seed_carer(child, membership.user)


def seed_carer(child: Child, practitioner: User) -> None:
    """The demo young person's current carer, in their space: recorded on the open placement,
    named by a consent for support at home (the plan shared), with their invitation used. In
    the demo two-factor is optional (NYTH_DEMO); elsewhere a carer sets it up (ADR 019)."""
    if User.objects.filter(username=CARER_USERNAME).exists():
        return
    today = timezone.localdate()
    placement = child.placements.filter(carers_open(today)).order_by("-start_date").first()
    if placement is None:
        return
    person = (
        RelatedPerson.objects.filter(child=child, is_active=True, contact_restricted=False, role__in=CARER_ROLES)
        .order_by("pk")
        .first()
    )
    if person is None:
        # Made here, after the nest's own seeding (people.demo_nest) has run: give her what that
        # seeding gives a carer – told about the support, one training session – so the next
        # seed_support finds her complete and adds nothing (the demo is idempotent).
        from people.models import NestTraining, NestTrainingTopic
        from workforce.models import PracticeLevel

        person = RelatedPerson.objects.create(
            child=child, name="Gwen Morgan", role=RelationshipRole.FOSTER_CARER,
            informed_on=today - datetime.timedelta(days=60), informed_by=practitioner,
        )  # fmt: skip
        NestTraining.objects.create(
            related_person=person, topic=NestTrainingTopic.TRAUMA_ATTACHMENT, practice_level=PracticeLevel.AWARE,
            given_on=today - datetime.timedelta(days=30), trainer=practitioner, recorded_by=practitioner,
        )  # fmt: skip
    placement.carers.add(person)
    ConsentDecision.objects.create(
        child=child,
        items=[Item.PLAN],
        recipient_person=person,
        purposes=[Purpose.SUPPORT_AT_HOME],
        decider=Decider.YOUNG_PERSON,
        competence_judgement="Understood what their carer would see and that they can change their mind.",
        young_person_views="I want them to know what we agreed so they can help at bedtime.",
        how_given=HowGiven.IN_PERSON,
        given_on=today - datetime.timedelta(days=3),
        lawful_basis=LawfulBasis.HEALTH_SOCIAL_CARE,
        recorded_by=practitioner,
    )
    user = User(
        username=CARER_USERNAME,
        first_name=person.name[:150],
        role=Role.CARER,
        preferred_language=Language.WELSH if child.preferred_language == "cy" else Language.ENGLISH,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    account = SpaceAccount.objects.create(user=user, child=child, related_person=person, created_by=practitioner)
    now = timezone.now()
    Invitation.objects.create(
        token_hash=f"demo-used-{account.pk}",  # never a real link: already used
        child=child,
        related_person=person,
        role=Role.CARER,
        created_by=practitioner,
        created_at=now - datetime.timedelta(days=2),
        expires_at=now + datetime.timedelta(days=5),
        used_at=now - datetime.timedelta(days=1),
    )
