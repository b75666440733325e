"""The audit trail is append-only and tamper-evident."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit.models import AuditAppendOnlyError, AuditChainHead, AuditEvent
from audit.services import record, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(alice):
    return [record(actor=alice, action="view", child_id=7, detail={"n": i}) for i in range(5)]


def raw(sql, params=()):
    """Tamper as someone with direct database access would, with the guard triggers disabled
    (inside the test's transaction, so they come back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks count as pending trigger events; run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def test_events_are_chained(events):
    assert events[0].prev_hash == "0" * 64
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.prev_hash == earlier.hash
        assert later.seq == earlier.seq + 1
    assert verify_chain()[0]
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_seq == events[-1].seq
    assert head.last_hash == events[-1].hash


def test_orm_cannot_change_or_delete_events(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.reason = "edited"
    with pytest.raises(AuditAppendOnlyError):
        event.save()
    with pytest.raises(AuditAppendOnlyError):
        event.delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers exist on PostgreSQL; CI runs this there")
def test_database_refuses_raw_updates_and_deletes(events):
    for sql in ("UPDATE audit_auditevent SET reason = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 5


def test_verify_reports_an_altered_event(events):
    raw("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE seq = 3")
    ok, message, _ = verify_chain()
    assert not ok
    assert "altered" in message
    assert "sequence 3" in message
    with pytest.raises(CommandError, match="sequence 3"):
        call_command("verify_audit")


def test_verify_reports_a_deleted_event(events):
    raw("DELETE FROM audit_auditevent WHERE seq = 2")
    ok, message, _ = verify_chain()
    assert not ok
    assert "deleted" in message
    assert "expected sequence 2" in message


def test_verify_reports_deletion_at_the_end(events):
    raw("DELETE FROM audit_auditevent WHERE seq = 5")
    ok, message, _ = verify_chain()
    assert not ok
    assert "end" in message


def test_verify_reports_an_inserted_event(events):
    # Make room by shifting later events, then insert a forged one with a self-consistent hash.
    raw("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq >= 3")
    raw("UPDATE audit_auditevent SET seq = seq - 99 WHERE seq >= 103")
    forged = AuditEvent(
        seq=3, occurred_at=events[2].occurred_at, action="view", route="ui", prev_hash=events[1].hash, detail={}
    )
    forged.hash = forged.compute_hash()
    raw(
        "INSERT INTO audit_auditevent (seq, occurred_at, actor_label, actor_organisation, action, route, "
        "object_type, object_id, reason, detail, prev_hash, hash) VALUES (%s, %s, '', '', 'view', 'ui', '', '', '', %s, %s, %s)",
        (3, events[2].occurred_at, "{}", forged.prev_hash, forged.hash),
    )
    ok, message, _ = verify_chain()
    assert not ok
    assert "sequence 4" in message  # the real event after the forgery no longer links


def test_verify_command_succeeds_on_an_intact_trail(events, capsys):
    call_command("verify_audit")
    assert "5 events verified" in capsys.readouterr().out


def test_bulk_appends_keep_one_unbroken_chain(alice):
    from audit.services import record_many

    record(actor=alice, action="view")
    record_many(actor=alice, events=[{"action": "create", "detail": {"n": n}} for n in range(50)])
    record(actor=alice, action="view")
    ok, message, checked = verify_chain()
    assert ok, message
    assert checked == 52
