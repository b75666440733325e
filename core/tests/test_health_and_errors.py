"""Health check, friendly translated error pages, and recovery from a database outage."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def database_down():
    return mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("connection refused")
    )


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_returns_503_when_the_database_is_unreachable_and_recovers(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Sorry, the service is unavailable"), ("cy", "nid yw'r gwasanaeth ar gael")]
)
def test_pages_return_a_translated_503_while_the_database_is_down_then_recover(client_for, alice, language, text):
    client = client_for(alice)
    client.raise_request_exception = False
    with database_down():
        response = client.get(f"/{language}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert text in response.content.decode()
    assert client.get(f"/{language}/").status_code == 200


def test_404_page_is_friendly_and_translated(client_for, alice):
    client = client_for(alice)
    english = client.get("/en/children/999999/")
    assert english.status_code == 404
    assert "Page not found" in english.content.decode()
    welsh = client.get("/cy/children/999999/")
    assert welsh.status_code == 404
    assert "Heb ddod o hyd i'r dudalen" in welsh.content.decode()


def test_403_page_is_friendly(client_for, alice, child):
    response = client_for(alice).get(reverse("people:history", args=[child.pk]))
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_500_page_is_friendly(client_for, alice):
    client = client_for(alice)
    client.raise_request_exception = False
    with mock.patch("dashboard.views.render", side_effect=RuntimeError("boom")):
        response = client.get("/en/")
    assert response.status_code == 500
    assert "problem with the service" in response.content.decode()


def test_a_failing_request_leaves_no_half_written_change(client_for, alice, child):
    """ATOMIC_REQUESTS: the audit event written before the failure is rolled back with it."""
    from audit.models import AuditEvent

    client: Client = client_for(alice)
    client.raise_request_exception = False
    before = AuditEvent.objects.count()
    with mock.patch("people.views.render", side_effect=RuntimeError("boom")):
        response = client.get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 500
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("address", "status"), [("/{language}/children/999999/", 404), (None, 403)])
@pytest.mark.parametrize("language", ["en", "cy"])
def test_404_and_403_keep_the_signed_in_navigation(client_for, alice, child, address, status, language):
    """A link to a record one cannot open is an ordinary moment: the person keeps the service's
    navigation, the language links and "Sign out" to carry on (C Layout)."""
    url = address.format(language=language) if address else f"/{language}/children/{child.pk}/history/"
    response = client_for(alice).get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert 'class="govuk-service-navigation__list"' in body
    with translation.override(language):
        assert translation.gettext("My caseload") in body and translation.gettext("Sign out") in body
    assert f'<html lang="{language}"' in body


def test_404_signed_out_has_no_navigation_and_falls_back_when_the_session_cannot_be_read(client, client_for, alice):
    signed_out = client.get("/en/no-such-page/")
    assert signed_out.status_code == 404 and "govuk-service-navigation__list" not in signed_out.content.decode()
    with mock.patch("dashboard.context_processors._nav_items", side_effect=OperationalError("database gone")):
        response = client_for(alice).get("/en/children/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "govuk-service-navigation__list" not in body
