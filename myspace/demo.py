"""Demo: a young person already in their own space (invitation accepted), so `make demo` can
print their sign-in. One of the demo practitioner's young people of an age that may be invited,
with current support. Idempotent; synthetic data only."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from accounts.models import Language, Role, User
from myspace.models import Invitation, SpaceAccount
from people.models import CareTeamMembership, CareTeamRole

if TYPE_CHECKING:
    from accounts.models import Organisation
    from people.models import Child

USERNAME = "youngperson"
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
