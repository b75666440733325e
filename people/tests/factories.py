import datetime

import factory

from accounts.models import Organisation
from accounts.tests.factories import OrganisationFactory
from people.models import CareTeamMembership, Child, Placement, RelatedPerson


def local_authority(code: str = "W06000015") -> Organisation:
    """Reference local authorities are loaded by migration (Cardiff by default)."""
    return Organisation.objects.get(code=code)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    service = factory.SubFactory(OrganisationFactory)
    given_name = "Ffion"
    family_name = factory.Sequence(lambda n: f"Testname{n}")
    date_of_birth = datetime.date(2012, 3, 27)
    nhs_number = ""
    responsible_local_authority = factory.LazyFunction(local_authority)
    legal_status = "looked_after"


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    child = factory.SubFactory(ChildFactory)
    type = "foster_la"
    local_authority_area = factory.LazyFunction(local_authority)
    start_date = datetime.date(2023, 1, 1)


class RelatedPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedPerson

    child = factory.SubFactory(ChildFactory)
    name = "Sioned Prawf"
    role = "foster_carer"


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMembership

    child = factory.SubFactory(ChildFactory)
    user = None
    role = "lead"
