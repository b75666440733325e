"""Shared personas, named for the domain (see docs/architecture.md, "Tests").

- ``alice``: practitioner in the South service, lead for ``child`` (the everyday route).
- ``bob``: practitioner in the same service, not in ``child``'s care team.
- ``manager``: service manager of the South service (sees every record in it).
- ``duty``: duty/on-call worker in the South service (emergency access only).
- ``charlie``: practitioner in the North service – the stranger.
- ``partner``: CAMHS clinician from a health board (no share yet).
- ``commissioner``: Regional Partnership Board – aggregate data only.
- ``administrator``: manages accounts; no route to records.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, OrganisationType, Role
from accounts.tests.factories import OrganisationFactory, UserFactory
from people.tests.factories import CareTeamFactory, ChildFactory, PlacementFactory, RelatedPersonFactory


def sign_in(client: Client, user) -> Client:
    """Sign in with the second factor already verified (as after the TOTP step)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def south(db):
    return OrganisationFactory(code="SVC-SOUTH", name_en="South Service", name_cy="Gwasanaeth y De")


@pytest.fixture
def north(db):
    return OrganisationFactory(code="SVC-NORTH", name_en="North Service", name_cy="Gwasanaeth y Gogledd")


@pytest.fixture
def alice(south):
    return UserFactory(
        username="alice", first_name="Alice", last_name="Ymarferydd", organisation=south, role=Role.PRACTITIONER
    )


@pytest.fixture
def bob(south):
    return UserFactory(
        username="bob", first_name="Bob", last_name="Ymarferydd", organisation=south, role=Role.PRACTITIONER
    )


@pytest.fixture
def manager(south):
    return UserFactory(
        username="manager", first_name="Mair", last_name="Rheolwr", organisation=south, role=Role.SERVICE_MANAGER
    )


@pytest.fixture
def duty(south):
    return UserFactory(
        username="duty", first_name="Dewi", last_name="Dyletswydd", organisation=south, role=Role.DUTY_WORKER
    )


@pytest.fixture
def charlie(north):
    return UserFactory(
        username="charlie", first_name="Charlie", last_name="Dieithryn", organisation=north, role=Role.PRACTITIONER
    )


@pytest.fixture
def partner(db):
    return UserFactory(
        username="partner",
        first_name="Pat",
        last_name="Partner",
        organisation=Organisation.objects.get(code="7A4"),
        role=Role.PARTNER,
    )


@pytest.fixture
def commissioner(db):
    return UserFactory(
        username="commissioner",
        first_name="Cai",
        last_name="Comisiynydd",
        organisation=Organisation.objects.get(code="RPB-CV"),
        role=Role.COMMISSIONER,
    )


@pytest.fixture
def administrator(south):
    return UserFactory(
        username="administrator", first_name="Ann", last_name="Gweinyddwr", organisation=south, role=Role.ADMINISTRATOR
    )


@pytest.fixture
def child(south, alice):
    kid = ChildFactory(service=south, given_name="Siôn", family_name="Prydderch", nhs_number="9434765919")
    CareTeamFactory(child=kid, user=alice, role="lead")
    PlacementFactory(child=kid)
    RelatedPersonFactory(child=kid)
    return kid


@pytest.fixture
def la_cardiff(db):
    return Organisation.objects.get(code="W06000015", type=OrganisationType.LOCAL_AUTHORITY)


@pytest.fixture
def client_for(client):
    """``client_for(user)`` returns a fresh client signed in (2FA verified) as ``user``."""

    def make(user):
        return sign_in(Client(), user)

    return make


@pytest.fixture(autouse=True)
def english_by_default():
    """Requests activate their page's language on the test thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_help_lines():
    """The help-now lines are kept in memory per process (myspace.helpnow): a test's rows are
    rolled back with its transaction, so none may be left in memory for the next test."""
    from myspace import helpnow

    helpnow.forget_lines()
    yield
    helpnow.forget_lines()
