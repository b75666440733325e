"""audit.queries: each reader of the trail answers only about what its reader may see."""

from __future__ import annotations

import pytest

from audit import queries
from audit.services import record

pytestmark = pytest.mark.django_db


def test_the_child_trail_is_for_that_childs_service_manager_only(alice, manager, child, north):
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    record(actor=alice, action="view", obj=child, child_id=child.pk, route="ui")
    assert [event.child_id for event in queries.child_trail(manager, child)] == [child.pk]
    assert list(queries.child_trail(alice, child)) == []  # a practitioner: not the audit page's reader
    elsewhere = UserFactory(username="north-manager", organisation=north, role=Role.SERVICE_MANAGER)
    assert list(queries.child_trail(elsewhere, child)) == []


def test_refused_attempts_are_the_managers_own_staffs(alice, manager, charlie, child):
    record(actor=alice, action="refused", child_id=child.pk, route="ui", detail={"found": True})
    record(actor=charlie, action="refused", child_id=child.pk, route="ui", detail={"found": True})
    assert [event.actor_id for event in queries.refused_attempts(manager, limit=10)] == [alice.pk]
    assert queries.refused_attempts(alice, limit=10) == []


def test_list_events_are_never_part_of_the_story(alice, child):
    from django.db.models import Q

    record(actor=alice, action="list", child_id=child.pk, route="ui", detail={"page": "contacts"})
    viewed = record(actor=alice, action="view", child_id=child.pk, route="ui")
    assert list(queries.story_events(child, Q())) == [viewed]
