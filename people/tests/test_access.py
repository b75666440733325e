"""The one access-scoping mechanism: who can reach a child's record, and through what."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from people import access
from people.models import BreakGlassAccess, CareTeamMembership, Child, Placement, RelatedPerson
from people.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Child.objects.visible_to(user).values_list("pk", flat=True))


def test_care_team_member_sees_the_child(alice, child):
    assert visible(alice) == {child.pk}
    assert access.access_routes(alice, child) == ["care_team"]


def test_colleague_outside_the_care_team_does_not(bob, child):
    assert visible(bob) == set()


def test_ended_membership_no_longer_grants_access(alice, child):
    CareTeamMembership.objects.filter(user=alice).update(ended_at=timezone.now())
    assert visible(alice) == set()


def test_service_manager_sees_every_record_in_their_own_service_only(manager, child, north):
    other = ChildFactory(service=north)
    assert visible(manager) == {child.pk}
    assert other.pk not in visible(manager)


@pytest.mark.parametrize("persona", ["charlie", "partner", "commissioner", "administrator", "duty"])
def test_people_without_a_relationship_see_nothing(persona, child, request):
    assert visible(request.getfixturevalue(persona)) == set()


def test_commissioner_never_sees_a_record_even_if_added_to_a_care_team(commissioner, child):
    CareTeamMembership.objects.create(child=child, user=commissioner, role="practitioner")
    assert visible(commissioner) == set()


def test_inactive_or_anonymous_users_see_nothing(alice, child):
    from django.contrib.auth.models import AnonymousUser

    alice.is_active = False
    assert visible(alice) == set()
    assert Child.objects.visible_to(AnonymousUser()).count() == 0


def test_break_glass_grants_time_limited_access(duty, child):
    grant = BreakGlassAccess.objects.create(
        user=duty, child=child, reason="Crisis call at night", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert visible(duty) == {child.pk}
    assert access.access_routes(duty, child) == ["break_glass"]
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    assert visible(duty) == set()


def test_personal_models_delegate_to_the_child_scope(alice, bob, child):
    assert RelatedPerson.objects.visible_to(alice).count() == 1
    assert Placement.objects.visible_to(alice).count() == 1
    assert RelatedPerson.objects.visible_to(bob).count() == 0
    assert Placement.objects.visible_to(bob).count() == 0


def test_registered_provider_joins_the_same_mechanism(partner, child):
    """The hook for consent-based sharing: a provider granting the partner's organisation."""
    assert visible(partner) == set()
    access.register_access_provider(
        "test_share", lambda user: Q(pk=child.pk) if user.organisation_id == partner.organisation_id else None
    )
    try:
        assert visible(partner) == {child.pk}
        assert access.access_routes(partner, child) == ["test_share"]
    finally:
        access._providers.pop("test_share")
    assert visible(partner) == set()


def test_visibility_query_count_does_not_grow_with_the_caseload(alice, south, django_assert_max_num_queries):
    for _ in range(30):
        kid = ChildFactory(service=south)
        CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
    with django_assert_max_num_queries(1):
        assert len(list(Child.objects.visible_to(alice))) == 30
