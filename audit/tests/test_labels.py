"""Audit pages name the actor's organisation in the reader's language (ADR 012)."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audit.labels import name_organisations
from audit.models import AuditEvent
from audit.services import record

pytestmark = pytest.mark.django_db


def test_the_organisation_is_named_in_the_readers_language_with_the_stored_label_as_fallback(alice):
    with translation.override("en"):
        recorded = record(actor=alice, action="view", route="ui")  # label stored in English
    gone = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                occurred_at=timezone.now(),
                action="view",
                actor_organisation="Old Service",
                actor_organisation_id=987654,
            )
        ]
    )[0]
    legacy = AuditEvent.objects.bulk_create(
        [AuditEvent(occurred_at=timezone.now(), action="view", actor_organisation="Legacy Label")]
    )[0]
    events = list(AuditEvent.objects.filter(pk__in=[recorded.pk, gone.pk, legacy.pk]).order_by("id"))
    with translation.override("cy"):
        name_organisations(events)
    assert [event.organisation_name for event in events] == ["Gwasanaeth y De", "Old Service", "Legacy Label"]


def test_the_child_audit_page_names_the_organisation_in_welsh(client_for, manager, alice, child):
    with translation.override("en"):
        record(actor=alice, action="view", obj=child, child_id=child.pk, route="ui")
    with translation.override("cy"):
        url = reverse("audit:child", args=[child.pk])
    assert url.startswith("/cy/")
    body = client_for(manager).get(url).content.decode()
    assert "Gwasanaeth y De" in body
    assert "South Service" not in body


def test_the_seen_page_names_the_organisation_in_welsh(alice, child):
    from assessments import seen

    with translation.override("en"):
        record(actor=alice, action="view", obj=child, child_id=child.pk, detail={"section": "x"}, route="ui")
    events = list(AuditEvent.objects.filter(child_id=child.pk))
    with translation.override("cy"):
        seen.describe(alice, child, events)
        assert seen._who(events[0]) == "Alice Ymarferydd (Gwasanaeth y De)"
