import datetime
import uuid

import factory

from accounts.tests.factories import OrganisationFactory
from referrals.models import DirectoryService, Referral


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"R26-T{n:05d}")
    service = factory.SubFactory(OrganisationFactory)
    route = "staff"
    idempotency_key = factory.LazyFunction(lambda: uuid.uuid4().hex)
    given_name = "Cerys"
    family_name = factory.Sequence(lambda n: f"Atgyfeiriad{n}")
    date_of_birth = datetime.date(2011, 6, 1)
    legal_status = "looked_after"
    referrer_type = "teacher"
    referrer_name = "Teacher Prawf"
    needs = "Struggling at school after a placement move."


class DirectoryServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectoryService

    name_en = "Young Minds Wales (demo)"
    name_cy = "Meddyliau Ifanc Cymru (demo)"
    offer_en = "Counselling for young people"
    offer_cy = "Cwnsela i bobl ifanc"
    welsh_provision = "full"
    referral_route_en = "Phone the duty line"
    referral_route_cy = "Ffoniwch y llinell ddyletswydd"
