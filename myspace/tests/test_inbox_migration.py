"""The migration to the one care-team inbox keeps every row: a notice marked done stays done
(now ``read_at``/``read_by``), and the rows already there get their read-by date from when they
were sent."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from myspace.models import CareTeamNotice, ReviewNote, SpaceRequest

BEFORE = [("myspace", "0008_audit_events_referenced_not_held")]
AFTER = [("myspace", "0009_one_care_team_inbox")]
# Tuesday 8 December 2026: two Welsh working days later is Thursday 10 December.
SENT = datetime.datetime(2026, 12, 8, 23, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_the_rows_and_fills_the_read_by_dates(alice, child):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    notice = old.get_model("myspace", "CareTeamNotice").objects.create(
        child_id=child.pk, kind="why_look", about="x", created_by_id=alice.pk, created_at=SENT,
        done_at=SENT, done_by_id=alice.pk,
    )  # fmt: skip
    request = old.get_model("myspace", "SpaceRequest").objects.create(
        child_id=child.pk, kind="add_person", text="Nain", created_by_id=alice.pk, form_key="m", created_at=SENT
    )
    note = old.get_model("myspace", "ReviewNote").objects.create(child_id=child.pk, text="x", created_at=SENT)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    done = CareTeamNotice.objects.get(pk=notice.pk)
    assert (done.read_at, done.read_by_id) == (SENT, alice.pk)
    for item in (done, SpaceRequest.objects.get(pk=request.pk), ReviewNote.objects.get(pk=note.pk)):
        # Counted from the local date it was sent (23:30 on the 8th in Wales).
        assert item.read_by_date == datetime.date(2026, 12, 10), type(item).__name__
        assert item.reply == ""
