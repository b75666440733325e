"""``section_access`` – the one place deciding who reads and writes each section – route by route:
care team and managers read and write everything, emergency access only reads, a consent reaches
only the sections it covers (and writes them only for a joint assessment), a safeguarding share
only reads, restrictions hide a section from everyone not named, and nothing else grants anything."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import Organisation, Profession, Role
from accounts.tests.factories import UserFactory
from assessments.access import section_access
from assessments.sections import SECTION_KEYS
from assessments.services import restrict_section
from assessments.tests.builders import approve_safeguarding, break_glass, give_consent
from people.tests.factories import CareTeamFactory

pytestmark = pytest.mark.django_db

ALL = set(SECTION_KEYS)


def test_care_team_reads_and_writes_every_section(alice, child):
    access = section_access(alice, child)
    assert set(access.readable) == ALL
    assert access.writable == ALL
    assert set(access.readable.values()) == {"care_team"}
    assert access.whole_record


def test_service_manager_of_the_holding_service_reads_and_writes(manager, child):
    access = section_access(manager, child)
    assert access.writable == ALL
    assert access.readable["my_story"] == "service_manager"


def test_break_glass_reads_everything_and_writes_nothing(duty, child):
    assert not section_access(duty, child).any  # no emergency access yet: nothing at all
    break_glass(duty, child)
    access = section_access(duty, child)
    assert set(access.readable) == ALL
    assert access.writable == set()
    assert access.record_routes == ["break_glass"]


def test_joint_assessment_consent_reads_and_writes_only_the_sections_it_covers(partner, child, manager):
    give_consent(child, recorded_by=manager, organisation=partner.organisation, sections=["health", "emotional_needs"])
    access = section_access(partner, child)
    assert set(access.readable) == {"health", "emotional_needs"}
    assert access.writable == {"health", "emotional_needs"}
    assert set(access.readable.values()) == {"consent"}
    assert not access.whole_record


def test_transition_consent_reads_but_does_not_write(partner, child, manager):
    give_consent(
        child, recorded_by=manager, organisation=partner.organisation, purposes=["transition"], items=["assessment"]
    )
    access = section_access(partner, child)
    assert set(access.readable) == ALL
    assert access.writable == set()


@pytest.mark.parametrize("purposes", [["court"], ["research"]])
def test_court_or_research_consent_opens_nothing_in_nyth(partner, child, manager, purposes):
    """Those purposes allow an export for that purpose only, never reading in the service."""
    give_consent(child, recorded_by=manager, organisation=partner.organisation, purposes=purposes, items=["assessment"])
    assert not section_access(partner, child).any


def test_withdrawn_or_future_consent_opens_nothing(partner, child, manager):
    consent = give_consent(child, recorded_by=manager, organisation=partner.organisation, items=["assessment"])
    assert section_access(partner, child).any
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not section_access(partner, child).any
    give_consent(
        child,
        recorded_by=manager,
        organisation=partner.organisation,
        items=["assessment"],
        given_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert not section_access(partner, child).any


def test_consent_to_an_organisation_type_or_a_profession_reaches_its_members(child, manager):
    health_board = Organisation.objects.get(code="7A4")
    clinician = UserFactory(organisation=health_board, role=Role.PARTNER, profession=Profession.CAMHS_CLINICIAN)
    teacher = UserFactory(organisation=health_board, role=Role.PARTNER, profession=Profession.TEACHER)
    give_consent(child, recorded_by=manager, recipient_profession=Profession.CAMHS_CLINICIAN, sections=["health"])
    assert set(section_access(clinician, child).readable) == {"health"}
    assert not section_access(teacher, child).any
    give_consent(child, recorded_by=manager, recipient_organisation_type=health_board.type, sections=["education"])
    assert set(section_access(teacher, child).readable) == {"education"}


def test_safeguarding_share_reads_only_while_approved_and_unexpired(partner, child, alice, manager):
    share = approve_safeguarding(
        child, organisation=partner.organisation, requested_by=alice, decided_by=manager, sections=["risks"]
    )
    access = section_access(partner, child)
    assert access.readable == {"risks": "safeguarding"}
    assert access.writable == set()
    share.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    share.save()
    assert not section_access(partner, child).any
    share.expires_on = timezone.localdate() + datetime.timedelta(days=1)
    share.status = "requested"
    share.save()
    assert not section_access(partner, child).any


def test_strangers_commissioners_and_administrators_get_nothing(charlie, commissioner, administrator, child, manager):
    # Even a consent naming the commissioner's own organisation opens nothing to them.
    give_consent(child, recorded_by=manager, organisation=commissioner.organisation, items=["assessment"])
    for user in (charlie, commissioner, administrator):
        assert not section_access(user, child).any


def test_a_restricted_section_is_read_only_by_the_people_named(alice, bob, manager, partner, child):
    CareTeamFactory(child=child, user=bob, role="practitioner")
    give_consent(child, recorded_by=manager, organisation=partner.organisation, items=["assessment"])
    restrict_section(
        by=alice, child=child, section="adversity", allowed=[manager], reason="Disclosure: named workers only"
    )

    for named in (alice, manager):
        assert section_access(named, child).can_read("adversity")
        assert section_access(named, child).can_write("adversity")
    team_member = section_access(bob, child)
    assert not team_member.can_read("adversity") and not team_member.can_write("adversity")
    assert team_member.restricted == {"adversity"}
    assert team_member.can_read("my_story")  # only the restricted section is hidden
    whole_consent = section_access(partner, child)
    assert not whole_consent.can_read("adversity")
    assert "adversity" in whole_consent.restricted


def test_a_consent_reader_does_not_learn_of_a_restriction_outside_their_consent(alice, partner, child, manager):
    give_consent(child, recorded_by=manager, organisation=partner.organisation, sections=["strengths"])
    restrict_section(by=alice, child=child, section="adversity", allowed=[], reason="Disclosure")
    access = section_access(partner, child)
    assert access.restricted == set()
    assert set(access.readable) == {"strengths"}
