"""The next-morning emergency access report: each service's managers are emailed once about each
access, in their language, with no young person named; a service without a manager keeps them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from people.models import BreakGlassAccess
from people.services import report_emergency_access

pytestmark = pytest.mark.django_db


def _access(duty, child, *, hours_ago: int = 10) -> BreakGlassAccess:
    started = timezone.now() - datetime.timedelta(hours=hours_ago)
    return BreakGlassAccess.objects.create(
        user=duty,
        child=child,
        reason="Crisis call at night",
        started_at=started,
        expires_at=started + datetime.timedelta(hours=4),
    )


def test_managers_are_told_once_without_naming_the_young_person(duty, manager, child):
    manager.email = "manager@example.invalid"
    manager.preferred_language = "cy"
    manager.save()
    first = _access(duty, child)
    out = io.StringIO()
    call_command("report_emergency_access", stdout=out)
    assert "Reported 1" in out.getvalue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["manager@example.invalid"]
    assert duty.get_full_name() in message.body
    assert child.given_name not in message.body and child.family_name not in message.body
    assert "/cy/" in message.body  # the review link in her language
    assert message.subject.endswith(": 1") and "Emergency" not in message.subject  # in Welsh
    first.refresh_from_db()
    assert first.reported_at is not None

    # A second run reports nothing new; a new access is reported on the next run.
    assert report_emergency_access() == {}
    assert len(mail.outbox) == 1
    _access(duty, child, hours_ago=2)
    assert report_emergency_access() == {child.service_id: 1}
    assert len(mail.outbox) == 2


def test_without_a_manager_to_tell_nothing_is_marked_reported(duty, child):
    access = _access(duty, child)
    assert report_emergency_access() == {}
    access.refresh_from_db()
    assert access.reported_at is None  # still waiting: on the review page and retried tomorrow


def test_a_second_grant_is_reported_again_in_its_own_right(duty, manager, child):
    from people.services import grant_whole_record

    manager.email = "manager@example.invalid"
    manager.save()
    access = _access(duty, child, hours_ago=1)  # still running
    assert report_emergency_access() == {child.service_id: 1}
    grant_whole_record(by=duty, access=access, reason="Police ask where she was found last time")
    assert report_emergency_access() == {child.service_id: 1}
    assert len(mail.outbox) == 2
    assert "second grant" in mail.outbox[1].body and "second grant" not in mail.outbox[0].body
    assert "Police" not in mail.outbox[1].body  # the reason stays on the review page
