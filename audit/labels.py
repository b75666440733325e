"""Naming what an audit event recorded, for the pages that show the trail."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.names import organisation_name, organisation_names
from audit.models import AuditEvent


def name_organisations(events: Iterable[AuditEvent]) -> None:
    """Set ``organisation_name`` on each event: the actor's organisation named in the reader's
    language (from the hashed ``actor_organisation_id``), else the label stored at the time (an
    event from before the id was recorded, or an organisation no longer there). One query."""
    events = list(events)
    ids = {event.actor_organisation_id for event in events if event.actor_organisation_id}
    names = organisation_names(ids)
    for event in events:
        event.organisation_name = organisation_name(event.actor_organisation_id, event.actor_organisation, names=names)
