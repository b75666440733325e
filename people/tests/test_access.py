"""The one access-scoping mechanism: who can reach a child's record, and through what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
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


def emergency_visible(user):
    return set(Child.objects.visible_to(user, include_emergency=True).values_list("pk", flat=True))


def test_break_glass_grants_time_limited_access_first_to_the_safety_plan_and_contacts(duty, child):
    """ADR 014: the first tier is part-reaching – only ``include_emergency`` scopes (the safety
    plan and contacts pages) see it; the whole record needs the second grant."""
    grant = BreakGlassAccess.objects.create(
        user=duty, child=child, reason="Crisis call at night", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert emergency_visible(duty) == {child.pk}
    assert visible(duty) == set()  # not the whole record
    assert access.access_routes(duty, child) == []
    assert access.access_routes(duty, child, include_emergency=True) == ["break_glass"]
    assert Placement.objects.visible_to(duty).count() == 0
    grant.whole_record_at = timezone.now()
    grant.save()
    assert visible(duty) == {child.pk}
    assert access.access_routes(duty, child) == ["break_glass"]
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    assert visible(duty) == set() and emergency_visible(duty) == set()


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


# --- One rule for "may change this record" (issue 12 A1) ------------------------------------------


def _break_glass(user, child, *, whole_record=False):
    return BreakGlassAccess.objects.create(
        user=user,
        child=child,
        reason="Crisis call at night",
        expires_at=timezone.now() + timedelta(hours=1),
        whole_record_at=timezone.now() if whole_record else None,
    )


def _consent_to_partner(child, manager, partner):
    from assessments.tests.builders import give_consent

    return give_consent(
        child,
        recorded_by=manager,
        organisation=partner.organisation,
        purposes=("joint_assessment",),
        items=("assessment",),
    )


@pytest.fixture
def other_manager(north):
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    return UserFactory(username="manager_north", organisation=north, role=Role.SERVICE_MANAGER)


@pytest.fixture
def no_role(south, child):
    """An account with no role, even on the child's care team."""
    from accounts.tests.factories import UserFactory

    user = UserFactory(username="no_role", organisation=south, role="")
    CareTeamMembership.objects.create(child=child, user=user, role="practitioner")
    return user


@pytest.fixture
def duty_whole_record(south, child):
    """A second duty worker whose emergency access has its second grant (the whole record)."""
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    user = UserFactory(username="duty_whole", organisation=south, role=Role.DUTY_WORKER)
    _break_glass(user, child, whole_record=True)
    return user


@pytest.fixture
def world(child, manager, duty, partner):
    """The child reached by every route there is: the care team (alice), the service's manager,
    a duty worker on emergency access, a partner through consent."""
    _break_glass(duty, child)
    _consent_to_partner(child, manager, partner)
    return child


# person → (may change, may record the out-of-hours contact)
EXPECTED = {
    "alice": (True, True),  # care team
    "manager": (True, True),  # manager of the service holding the record
    "other_manager": (False, False),  # manager of another service
    "duty": (False, True),  # break-glass: reads, and records the out-of-hours contact only
    "duty_whole_record": (False, True),  # break-glass with the second grant: still read-only
    "no_role": (False, False),  # no role, even on the care team
    "partner": (False, False),  # consent reaches assessment sections only
    "bob": (False, False),  # a colleague with no role for this child
    "charlie": (False, False),  # another service
    "commissioner": (False, False),
    "administrator": (False, False),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_can_change_over_every_route_and_purpose(persona, world, request):
    user = request.getfixturevalue(persona)
    may_change, may_record_out_of_hours = EXPECTED[persona]
    assert access.can_change(user, world) is may_change
    assert access.can_change(user, world, purpose=access.Purpose.OUT_OF_HOURS_CONTACT) is may_record_out_of_hours


def test_an_administrator_on_a_care_team_still_changes_nothing(administrator, child):
    CareTeamMembership.objects.create(child=child, user=administrator, role="practitioner")
    assert access.can_change(administrator, child) is False


def test_a_partner_added_to_a_care_team_changes_nothing_outside_the_assessment(partner, child):
    """Partners are not service staff: they contribute to assessment sections through consent,
    which assessments.access decides, never the record itself."""
    CareTeamMembership.objects.create(child=child, user=partner, role="practitioner")
    assert access.can_change(partner, child) is False


def test_break_glass_with_a_care_team_role_too_changes_as_the_care_team(duty, child):
    _break_glass(duty, child)
    CareTeamMembership.objects.create(child=child, user=duty, role="practitioner")
    assert access.can_change(duty, child) is True


def test_expired_emergency_access_no_longer_records_the_out_of_hours_contact(duty, child):
    grant = _break_glass(duty, child)
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    assert access.can_change(duty, child, purpose=access.Purpose.OUT_OF_HOURS_CONTACT) is False


def test_inactive_and_anonymous_users_change_nothing(alice, child):
    from django.contrib.auth.models import AnonymousUser

    assert access.can_change(AnonymousUser(), child) is False
    alice.is_active = False
    assert access.can_change(alice, child) is False


@pytest.mark.parametrize(
    ("persona", "expected"),
    # duty is on the first tier of emergency access: the whole record is not theirs to see.
    [("alice", None), ("duty", Http404), ("charlie", Http404), ("partner", Http404), ("commissioner", Http404)],
)
def test_require_change_404s_outside_the_scope_and_403s_inside_it(persona, expected, world, request):
    """ADR 003: a record outside the scope does not exist for the user (404); one they may see
    but not change is a 403. A consent recipient reaches parts only: the record is a 404."""
    from types import SimpleNamespace

    user = request.getfixturevalue(persona)
    for caller in (user, SimpleNamespace(user=user)):  # a user or a request
        if expected is None:
            assert access.require_change(caller, world) is None
        else:
            with pytest.raises(expected):
                access.require_change(caller, world)


def test_require_change_with_a_purpose(duty, world):
    assert access.require_change(duty, world, purpose=access.Purpose.OUT_OF_HOURS_CONTACT) is None


def test_require_change_is_403_for_the_whole_record_tier(duty, child):
    _break_glass(duty, child, whole_record=True)
    with pytest.raises(PermissionDenied):
        access.require_change(duty, child)
    assert access.can_change(duty, child, purpose=access.Purpose.OUT_OF_HOURS_CONTACT) is True


def test_record_access_answers_several_questions_from_one_look_up(duty, alice, world):
    from audit.models import Route

    assert access.record_access(duty, world).routes == ()  # the first tier is not the whole record
    reached = access.record_access(duty, world, include_emergency=True)
    assert reached.routes == (access.BREAK_GLASS,) and reached.only_through_break_glass
    assert reached.audit_route == Route.BREAK_GLASS and not reached.can_change()
    mine = access.record_access(alice, world)
    assert mine.route_name == access.CARE_TEAM and mine.audit_route == Route.UI and mine.can_change()


def test_the_consent_partner_in_the_world_does_reach_shared_parts(partner, world):
    """So the partner's row above is a consent recipient, not a stranger."""
    assert world.pk in set(Child.objects.visible_to(partner, include_shared=True).values_list("pk", flat=True))
    assert world.pk not in visible(partner)
