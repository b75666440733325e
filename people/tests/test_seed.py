"""The synthetic demo data set: deterministic, idempotent, realistic enough to demo with."""

import pytest
from django.core.management import call_command

from accounts.models import SPACE_ROLES, Organisation, OrganisationType, Role, Team, User
from audit.services import verify_chain
from people.demo import make_child
from people.identifiers import nhs_number_is_valid
from people.models import CareTeamMembership, Child, Placement, RelatedPerson

pytestmark = pytest.mark.django_db


def seed(n, seed=5):
    call_command("seed_demo", children=n, seed=seed, no_progress=True, quiet_logins=True)


def test_seed_creates_organisations_staff_in_every_role_and_children():
    seed(60)
    assert Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY).count() == 22
    assert Organisation.objects.filter(type=OrganisationType.HEALTH_BOARD).count() == 7
    assert Organisation.objects.filter(type=OrganisationType.REGIONAL_PARTNERSHIP_BOARD).count() == 7
    for kind in (
        OrganisationType.SERVICE,
        OrganisationType.EDUCATION,
        OrganisationType.YOUTH_JUSTICE,
        OrganisationType.THIRD_SECTOR,
    ):
        assert Organisation.objects.filter(type=kind).exists(), kind
    # Staff of every role; young people's and carers' accounts come from invitations (myspace).
    assert {u.role for u in User.objects.all()} >= set(Role.values) - SPACE_ROLES
    assert Team.objects.filter(members__username="practitioner").exists()
    assert Child.objects.count() == 60
    assert Placement.objects.count() >= 60
    assert RelatedPerson.objects.count() >= 120
    assert CareTeamMembership.objects.filter(user__username="practitioner").count() == 20
    assert all(
        nhs_number_is_valid(n) for n in Child.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)
    )
    assert verify_chain()[0]


def test_seed_is_idempotent_and_can_grow():
    seed(30)
    seed(30)
    assert Child.objects.count() == 30
    seed(45)
    assert Child.objects.count() == 45
    assert User.objects.filter(username="practitioner").count() == 1


def test_same_seed_same_children():
    from datetime import date

    today = date(2026, 1, 1)
    assert make_child(3, 17, today, 22) == make_child(3, 17, today, 22)
    assert make_child(3, 17, today, 22) != make_child(4, 17, today, 22)


def test_names_carry_welsh_accents_and_ages_span_the_service():
    from datetime import date

    today = date(2026, 1, 1)
    children = [make_child(1, i, today, 22) for i in range(3000)]
    names = {c.given_name for c in children}
    assert {"Siôn", "Llŷr", "Siân", "Gwenllïan"} & names
    ages = [(today - c.date_of_birth).days // 365 for c in children]
    assert min(ages) == 0 and max(ages) >= 24
    statuses = [c.legal_status for c in children]
    assert 0.45 < statuses.count("looked_after") / len(statuses) < 0.65
    assert {c.legal_status for c in children if (today - c.date_of_birth).days // 365 > 18} <= {"care_leaver", "other"}


def test_logins_only_prints_every_demo_account_and_seeds_nothing(settings):
    import io

    settings.NYTH_SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("seed_demo", logins_only=True, stdout=out)
    text = out.getvalue()
    for username in ("practitioner", "manager", "oncall", "clinigydd", "commissioner"):
        assert f"  {username} " in text, username
    assert "http://127.0.0.1:8123" in text
    assert not Child.objects.exists() and not User.objects.exists()
