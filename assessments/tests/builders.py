"""Small builders for the assessment tests: consents, safeguarding shares, emergency access."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from consent.models import ConsentDecision, SafeguardingShare
from people.models import BreakGlassAccess


def give_consent(
    child, *, recorded_by, organisation=None, purposes=("joint_assessment",), items=(), sections=(), **extra: Any
) -> ConsentDecision:
    """An in-force consent given by the young person (valid as in core/tests/test_url_walk.py)."""
    values = {
        "child": child,
        "items": list(items),
        "sections": list(sections),
        "purposes": list(purposes),
        "decider": "young_person",
        "young_person_views": "I don't want to tell it all again.",
        "how_given": "in_person",
        "given_on": timezone.localdate() - datetime.timedelta(days=1),
        "lawful_basis": "health_social_care",
        "recorded_by": recorded_by,
    }
    if organisation is not None:
        values["recipient_organisation"] = organisation
    values.update(extra)
    return ConsentDecision.objects.create(**values)


def approve_safeguarding(
    child, *, organisation, requested_by, decided_by, sections=(), items=(), days=7
) -> SafeguardingShare:
    return SafeguardingShare.objects.create(
        child=child,
        recipient_organisation=organisation,
        items=list(items),
        sections=list(sections),
        reason="Risk of significant harm from an adult outside the home",
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        requested_by=requested_by,
        status="approved",
        decided_by=decided_by,
        decided_at=timezone.now(),
    )


def break_glass(user, child, *, whole_record: bool = True) -> BreakGlassAccess:
    """Emergency access; by default with its second grant (the whole record, ADR 014), which is
    what the tests of reading a record through emergency access need. ``whole_record=False``:
    the first tier only (safety plan and contacts)."""
    extra = (
        {"whole_record_at": timezone.now(), "whole_record_reason": "Police ask about last month's placement"}
        if whole_record
        else {}
    )
    return BreakGlassAccess.objects.create(
        user=user,
        child=child,
        reason="Night-time crisis call",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
        **extra,
    )
