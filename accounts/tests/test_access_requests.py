"""Nobody grants themselves access: record routes wait for a second person, a service manager."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import Role
from people.models import Child

pytestmark = pytest.mark.django_db


def details(user, **overrides):
    data = {
        "first_name": user.first_name, "last_name": user.last_name, "email": user.email or "x@example.invalid",
        "organisation": str(user.organisation_id), "role": user.role, "job_title": "", "preferred_language": "en",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_administrator_cannot_make_themselves_a_manager_and_list_children(client_for, administrator, child):
    client = client_for(administrator)
    response = client.post(reverse("accounts:user_edit", args=[administrator.pk]), details(administrator, role="service_manager"))
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    assert b"You cannot change your own role or organisation" in response.content
    assert not Child.objects.visible_to(administrator).exists()


def test_the_service_refuses_a_change_of_ones_own_role_or_organisation(administrator, north):
    with pytest.raises(PermissionDenied):
        services.update_user(by=administrator, user=administrator, values={"role": Role.SERVICE_MANAGER})
    with pytest.raises(PermissionDenied):
        services.update_user(by=administrator, user=administrator, values={"organisation": north})
