"""Who sees which report (reporting.access): plain functions on hand-made organisations."""

from __future__ import annotations

import pytest

from accounts.models import Organisation, OrganisationType, Role
from accounts.tests.factories import OrganisationFactory, UserFactory
from reporting.access import Audience, area_of, audience_of, custom_ranges_allowed, may_see_authority, may_see_region
from reporting.export_access import export_areas

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


def test_a_health_boards_commissioner_covers_its_region_exactly_as_the_regions_board_does():
    health_board = _commissioner("7A4")  # Cardiff and Vale University Health Board
    board = _commissioner("RPB-CV")
    assert audience_of(health_board) is Audience.COMMISSIONER
    assert area_of(health_board) == area_of(board)
    assert [o.code for o in area_of(health_board).regions] == ["RPB-CV"]
    # The same areas to export, from the same rule.
    assert [(a.key, a.filters) for a in export_areas(health_board)] == [(a.key, a.filters) for a in export_areas(board)]
    # Another health board: another region, none of Cardiff and Vale's.
    swansea_bay = area_of(_commissioner("7A3"))
    assert [o.code for o in swansea_bay.regions] == ["RPB-WG"]
    assert not may_see_region(swansea_bay, Organisation.objects.get(code="RPB-CV").pk)
    assert not swansea_bay.authority_ids() & area_of(board).authority_ids()


def test_a_health_board_without_an_active_region_and_other_kinds_of_organisation_cover_nothing():
    orphan = OrganisationFactory(code="HB-TEST", type=OrganisationType.HEALTH_BOARD, region=None)
    closed = Organisation.objects.get(code="RPB-PO")
    closed.is_active = False
    closed.save()
    school = OrganisationFactory(
        code="SCH-TEST", type=OrganisationType.EDUCATION, region=Organisation.objects.get(code="RPB-CV")
    )
    for org in (orphan, Organisation.objects.get(code="7A7"), school):  # 7A7: Powys, whose region is closed
        user = UserFactory(role=Role.COMMISSIONER, organisation=org)
        assert area_of(user).empty and audience_of(user) is None and export_areas(user) == []
    # Someone at a health board who is not a commissioner covers nothing either.
    assert area_of(UserFactory(role=Role.PARTNER, organisation=Organisation.objects.get(code="7A4"))).empty


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
