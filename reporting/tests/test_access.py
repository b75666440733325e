"""Who sees which report (reporting.access): plain functions on hand-made organisations."""

from __future__ import annotations

import pytest

from accounts.models import Organisation, Role
from accounts.tests.factories import UserFactory
from reporting.access import Audience, area_of, audience_of, custom_ranges_allowed, may_see_authority, may_see_region

pytestmark = pytest.mark.django_db


def _commissioner(code: str):
    return UserFactory(role=Role.COMMISSIONER, organisation=Organisation.objects.get(code=code))


def test_a_regional_partnership_board_covers_its_region_and_its_member_authorities():
    area = area_of(_commissioner("RPB-CV"))
    cv = Organisation.objects.get(code="RPB-CV")
    assert [o.code for o in area.regions] == ["RPB-CV"]
    # Cardiff and the Vale of Glamorgan are the two members of Cardiff and Vale.
    assert sorted(o.code for o in area.authorities) == ["W06000014", "W06000015"]
    assert may_see_region(area, cv.pk)
    assert not may_see_region(area, Organisation.objects.get(code="RPB-WG").pk)
    assert may_see_authority(area, Organisation.objects.get(code="W06000015").pk)
    assert not may_see_authority(area, Organisation.objects.get(code="W06000011").pk)  # Swansea


def test_a_local_authority_covers_itself_only():
    area = area_of(_commissioner("W06000015"))
    assert area.regions == ()
    assert [o.code for o in area.authorities] == ["W06000015"]


def test_a_commissioner_of_another_kind_of_organisation_covers_nothing_and_has_no_report():
    user = _commissioner("7A4")  # a health board
    assert area_of(user).empty
    assert audience_of(user) is None


def test_each_role_has_its_audience_or_none(manager, alice, duty, partner, administrator, commissioner, charlie):
    assert audience_of(commissioner) is Audience.COMMISSIONER
    assert audience_of(manager) is Audience.MANAGER
    assert audience_of(alice) is Audience.PRACTITIONER
    assert audience_of(charlie) is Audience.PRACTITIONER
    for nobody in (duty, partner, administrator):
        assert audience_of(nobody) is None
    # A manager whose organisation is not a service (a local authority) has no service report.
    la_manager = UserFactory(role=Role.SERVICE_MANAGER, organisation=Organisation.objects.get(code="W06000015"))
    assert audience_of(la_manager) is None
    # Someone who is not a commissioner covers no area, whatever their organisation.
    assert area_of(UserFactory(role=Role.PARTNER, organisation=Organisation.objects.get(code="RPB-CV"))).empty


def test_an_inactive_commissioner_has_no_report():
    user = _commissioner("RPB-CV")
    user.is_active = False
    assert audience_of(user) is None


def test_only_the_services_own_people_get_custom_ranges():
    assert not custom_ranges_allowed(Audience.COMMISSIONER)
    assert custom_ranges_allowed(Audience.MANAGER) and custom_ranges_allowed(Audience.PRACTITIONER)
