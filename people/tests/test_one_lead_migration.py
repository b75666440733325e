"""The migration that adds "one lead per young person" copes with the duplicates found in the
data: the most recent lead stays lead, the earlier one stays in the team as a practitioner."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from people.models import CareTeamMembership

BEFORE = [("people", "0008_nesttraining_practice_level")]
AFTER = [("people", "0009_careteam_one_lead")]


# serialized_rollback, as the repo's other transactional tests: the flush at the end must not take
# the reference data (content types, organisations) from the tests after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_the_most_recent_lead(alice, bob, child):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Membership = old_apps.get_model("people", "CareTeamMembership")
    earlier = Membership.objects.get(child_id=child.pk, user_id=alice.pk)  # the fixture's lead
    Membership.objects.filter(pk=earlier.pk).update(started_at=timezone.now() - datetime.timedelta(days=90))
    Membership.objects.create(child_id=child.pk, user_id=bob.pk, role="lead", started_at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    # Back to the latest schema (migrating back to BEFORE unapplied anything after it too).
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    active = CareTeamMembership.objects.filter(child=child, ended_at__isnull=True).order_by("user__username")
    assert list(active.values_list("user__username", "role")) == [("alice", "practitioner"), ("bob", "lead")]
    assert CareTeamMembership.objects.get(pk=earlier.pk).history.filter(role="practitioner").exists()
