"""The demo assessments: written by several agencies through the real services, honouring the
consents and the restriction they record, and idempotent (a second run changes nothing)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import OrganisationType, Profession, Role, User
from assessments.access import section_access
from assessments.models import SectionRestriction, SectionVersion, Voice
from assessments.sections import SECTION_KEYS
from audit.models import AuditEvent
from audit.services import verify_chain
from consent.models import ConsentDecision, Purpose, SafeguardingShare
from people.models import Child

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "versions": SectionVersion.objects.count(),
        "consents": ConsentDecision.objects.count(),
        "safeguarding": SafeguardingShare.objects.count(),
        "restrictions": SectionRestriction.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def seeded(db):
    call_command("seed_demo", children=30, seed=5, no_progress=True, quiet_logins=True)
    call_command("seed_assessments", stdout=io.StringIO())
    return Child.objects.get(pk=ConsentDecision.objects.get(purposes=[Purpose.COURT]).child_id)


def test_a_second_run_changes_nothing(seeded):
    before = counts()
    assert before["versions"] >= 12 and before["consents"] >= 5
    call_command("seed_assessments", stdout=io.StringIO())
    assert counts() == before
    assert verify_chain()[0]


def test_demo_partners_have_professions_in_other_agencies(seeded):
    expected = {
        "clinigydd": (Profession.CAMHS_CLINICIAN, OrganisationType.HEALTH_BOARD),
        "edpsych": (Profession.EDUCATIONAL_PSYCHOLOGIST, OrganisationType.LOCAL_AUTHORITY),
        "teacher": (Profession.TEACHER, OrganisationType.EDUCATION),
        "socialworker": (Profession.SOCIAL_WORKER, OrganisationType.LOCAL_AUTHORITY),
    }
    for username, (profession, org_type) in expected.items():
        user = User.objects.get(username=username)
        assert (user.role, user.profession, user.organisation.type) == (Role.PARTNER, profession, org_type)


def test_camhs_reads_the_whole_assessment_except_the_restricted_section(seeded):
    shared = seeded
    for username in ("camhs", "clinigydd"):  # both work for the health board the consent names
        access = section_access(User.objects.get(username=username), shared)
        assert set(access.readable) == set(SECTION_KEYS) - {"adversity"}
        assert set(access.readable.values()) == {"consent"}
        assert access.restricted == {"adversity"}
        assert not access.whole_record
    lead = section_access(User.objects.get(username="practitioner"), shared)
    assert lead.can_read("adversity")
    assert not section_access(User.objects.get(username="manager"), shared).can_read("adversity")


def test_each_partner_reads_only_what_their_consent_covers(seeded):
    shared = seeded
    assert set(section_access(User.objects.get(username="teacher"), shared).readable) == {"education", "my_story"}
    assert set(section_access(User.objects.get(username="edpsych"), shared).readable) == {
        "neurodivergence",
        "education",
    }
    assert set(section_access(User.objects.get(username="socialworker"), shared).readable) == {
        "home",
        "relationships",
        "support",
    }
    # Another child of the same service: no consent, so nothing at all.
    other = Child.objects.filter(service=shared.service).exclude(pk=shared.pk).first()
    assert not section_access(User.objects.get(username="clinigydd"), other).any


def test_contributions_come_from_several_agencies_and_one_section_has_two_authors(seeded):
    versions = SectionVersion.objects.filter(assessment__child=seeded)
    routes = {v.author.username: v.route for v in versions}
    assert routes["clinigydd"] == routes["teacher"] == routes["edpsych"] == routes["socialworker"] == "consent"
    assert routes["practitioner"] == "care_team"
    emotional = list(versions.filter(section="emotional_needs").order_by("number"))
    assert [v.number for v in emotional] == [1, 2]
    assert emotional[0].author != emotional[1].author
    assert emotional[1].text.startswith(emotional[0].text)  # CAMHS added to it; nothing lost
    assert versions.get(section="my_story").voice in (Voice.YOUNG_PERSON, Voice.WITH_YOUNG_PERSON)


def test_welsh_speaking_children_have_their_story_in_welsh(seeded):
    welsh = SectionVersion.objects.filter(assessment__child__preferred_language="cy", section="my_story")
    assert welsh.exists()
    assert all("Dw i" in v.text and v.voice == Voice.YOUNG_PERSON for v in welsh)


def test_withdrawn_court_and_safeguarding_examples(seeded):
    withdrawn = ConsentDecision.objects.get(withdrawn_at__isnull=False)
    assert not withdrawn.in_force
    court = ConsentDecision.objects.get(purposes=[Purpose.COURT])
    assert court.recipient_organisation.type == OrganisationType.COURT
    assert court.in_force
    request = SafeguardingShare.objects.get()
    assert request.status == "requested" and not request.in_force
