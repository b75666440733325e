import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organisation, OrganisationType, Role, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    name_en = factory.Sequence(lambda n: f"Test Service {n}")
    name_cy = factory.Sequence(lambda n: f"Gwasanaeth Prawf {n}")
    type = OrganisationType.SERVICE
    code = factory.Sequence(lambda n: f"TEST-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    role = Role.PRACTITIONER
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("correct horse battery staple")


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "test authenticator"
    confirmed = True
