"""The audit trail is append-only and tamper-evident (ADR 002, ADR 012)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit import chain
from audit.models import GENESIS_HASH, HASH_V1, HASH_V2, AuditAppendOnlyError, AuditChainHead, AuditEvent, AuditLink
from audit.services import record, record_many, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(alice):
    recorded = [record(actor=alice, action="view", child_id=7, detail={"n": i}, route="ui") for i in range(5)]
    chain.seal_pending()
    return recorded


def link(seq):
    return AuditLink.objects.get(seq=seq)


def raw(sql, params=()):
    """Tamper as someone with direct database access would, with the guard triggers disabled
    (inside the test's transaction, so they come back afterwards)."""
    tables = ("audit_auditevent", "audit_auditlink")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks count as pending trigger events; run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_record_only_inserts_and_the_sequencer_chains_in_order(alice):
    recorded = [record(actor=alice, action="view", child_id=7, detail={"n": i}, route="ui") for i in range(5)]
    # Recorded, visible at once, not yet chained: no lock was taken, nothing else was written.
    assert AuditEvent.objects.unsealed().count() == 5
    assert AuditLink.objects.count() == 0
    assert AuditChainHead.objects.get(pk=1).last_seq == 0
    assert all(event.seq is None and event.hash is None for event in recorded)

    assert chain.seal_pending() == 5
    links = list(AuditLink.objects.order_by("seq"))
    assert [item.event_id for item in links] == [event.pk for event in recorded]
    assert [item.seq for item in links] == [1, 2, 3, 4, 5]
    assert links[0].prev_hash == GENESIS_HASH
    for earlier, later in zip(links, links[1:], strict=False):
        assert later.prev_hash == earlier.hash
    assert {item.hash_version for item in links} == {HASH_V2}
    assert {item.key_id for item in links} == {chain.DEV_KEY_ID}
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (5, links[-1].hash)
    assert chain.seal_pending() == 0  # nothing sealed twice
    assert verify_chain(seal=False)[0]


def test_the_actors_organisation_id_is_recorded(alice, south):
    event = record(actor=alice, action="view", route="ui")
    assert event.actor_organisation_id == south.pk
    assert event.actor_organisation == str(south)
    assert f'"actor_organisation_id":{south.pk}' in event.canonical_v2(seq=1, prev_hash=GENESIS_HASH, key_id="k")


def test_sealing_runs_in_batches_and_keeps_one_chain(alice):
    record_many(actor=alice, events=[{"action": "create", "route": "ui", "detail": {"n": n}} for n in range(25)])
    assert chain.seal_pending(limit=10) == 25
    assert list(AuditLink.objects.values_list("seq", flat=True)) == list(range(1, 26))
    assert verify_chain(seal=False) == (True, "Audit trail intact: 25 events verified.", 25)


def test_orm_cannot_change_or_delete_events_or_links(events):
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
    first = link(1)
    with pytest.raises(AuditAppendOnlyError):
        first.save()
    with pytest.raises(AuditAppendOnlyError):
        first.delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditLink.objects.update(hash="x")
    with pytest.raises(AuditAppendOnlyError):
        AuditLink.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers exist on PostgreSQL; CI runs this there")
def test_database_refuses_raw_updates_and_deletes(events):
    for sql in (
        "UPDATE audit_auditevent SET reason = 'x'",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditlink SET hash = 'x'",
        "DELETE FROM audit_auditlink",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 5
    assert AuditLink.objects.count() == 5


def test_verify_reports_an_altered_event(events):
    raw("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s", (link(3).event_id,))
    ok, message, _ = verify_chain()
    assert not ok
    assert "altered" in message
    assert "sequence 3" in message
    with pytest.raises(CommandError, match="sequence 3"):
        call_command("verify_audit")


def test_verify_reports_a_changed_organisation_id(events, north):
    # The organisation id is inside the keyed hash: moving an event to another organisation shows.
    raw("UPDATE audit_auditevent SET actor_organisation_id = %s WHERE id = %s", (north.pk, link(2).event_id))
    ok, message, _ = verify_chain()
    assert not ok
    assert "sequence 2" in message


def test_verify_reports_a_deleted_event(events):
    event_id = link(2).event_id
    raw("DELETE FROM audit_auditlink WHERE seq = 2")
    raw("DELETE FROM audit_auditevent WHERE id = %s", (event_id,))
    ok, message, _ = verify_chain()
    assert not ok
    assert "deleted" in message
    assert "expected sequence 2" in message


def test_verify_reports_a_removed_link_even_though_its_event_is_sealed_again(events):
    raw("DELETE FROM audit_auditlink WHERE seq = 2")
    ok, message, _ = verify_chain()  # seals the orphaned event at the end: the gap stays
    assert not ok
    assert "expected sequence 2" in message


def test_verify_reports_deletion_at_the_end(events):
    event_id = link(5).event_id
    raw("DELETE FROM audit_auditlink WHERE seq = 5")
    raw("DELETE FROM audit_auditevent WHERE id = %s", (event_id,))
    ok, message, _ = verify_chain()
    assert not ok
    assert "end" in message


def _shift_links_from(seq):
    raw("UPDATE audit_auditlink SET seq = seq + 100 WHERE seq >= %s", (seq,))
    raw("UPDATE audit_auditlink SET seq = seq - 99 WHERE seq >= %s", (seq + 100,))


def test_verify_reports_an_inserted_event_forged_without_the_key(events):
    # Without the HMAC key a forger can only compute an unkeyed (version-1 style) hash.
    _shift_links_from(3)
    forged = AuditEvent(
        seq=3, occurred_at=events[2].occurred_at, action="view", route="ui", prev_hash=link(2).hash, detail={}
    )
    forged.hash = forged.compute_hash()
    forged_id = AuditEvent.objects.bulk_create([forged])[0].pk
    raw(
        "INSERT INTO audit_auditlink (seq, event_id, hash_version, key_id, prev_hash, hash, sealed_at) "
        "VALUES (3, %s, 1, '', %s, %s, %s)",
        (forged_id, forged.prev_hash, forged.hash, events[2].occurred_at),
    )
    ok, message, _ = verify_chain()
    assert not ok
    assert "sequence 3" in message
    assert "version-1" in message


def test_verify_reports_an_inserted_event_even_with_the_key(events):
    _shift_links_from(3)
    forged = AuditEvent.objects.bulk_create([AuditEvent(occurred_at=events[2].occurred_at, action="view", detail={})])[
        0
    ]
    keys = chain.hmac_keys()
    digest = chain.link_hash_v2(
        forged, seq=3, prev_hash=link(2).hash, key_id=keys.current_id, key=keys.by_id[keys.current_id]
    )
    raw(
        "INSERT INTO audit_auditlink (seq, event_id, hash_version, key_id, prev_hash, hash, sealed_at) "
        "VALUES (3, %s, 2, %s, %s, %s, %s)",
        (forged.pk, keys.current_id, link(2).hash, digest, events[2].occurred_at),
    )
    ok, message, _ = verify_chain()
    assert not ok
    assert "sequence 4" in message  # the real event after the forgery no longer links


def test_verify_command_succeeds_on_an_intact_trail(events, alice, capsys):
    record(actor=alice, action="view", route="ui")  # waiting: verify_audit seals it first
    call_command("verify_audit")
    assert "6 events verified" in capsys.readouterr().out


def test_verify_without_sealing_reports_waiting_events(events, alice, capsys):
    record(actor=alice, action="view", route="ui")
    call_command("verify_audit", "--no-seal")
    out = capsys.readouterr().out
    assert "5 events verified" in out
    assert "1 events waiting to be sealed" in out
    assert AuditEvent.objects.unsealed().count() == 1


def test_bulk_appends_keep_one_unbroken_chain(alice):
    record(actor=alice, action="view", route="ui")
    record_many(actor=alice, events=[{"action": "create", "route": "ui", "detail": {"n": n}} for n in range(50)])
    record(actor=alice, action="view", route="ui")
    ok, message, checked = verify_chain()
    assert ok, message
    assert checked == 52


def _legacy_chain(alice, n):
    """Events as they were recorded before ADR 012 (their own seq, prev_hash and SHA-256 hash),
    then migration 0005's copy of their links."""
    from importlib import import_module

    from django.utils import timezone

    previous = GENESIS_HASH
    legacy = []
    for seq in range(1, n + 1):
        event = AuditEvent(
            seq=seq,
            occurred_at=timezone.now(),
            actor=alice,
            actor_label="Alice Ymarferydd",
            actor_organisation="South Service",
            action="view",
            route="ui",
            detail={"old": seq},
            prev_hash=previous,
        )
        event.hash = event.compute_hash()
        previous = event.hash
        legacy.append(event)
    AuditEvent.objects.bulk_create(legacy)
    AuditChainHead.objects.filter(pk=1).update(last_seq=n, last_hash=previous)
    migration = import_module("audit.migrations.0005_audit_links_hmac")
    with connection.cursor() as cursor:
        # The migration's function, given what it uses of a schema editor (SQLite cannot open
        # one inside the test's transaction).
        migration.copy_v1_links(None, type("Editor", (), {"execute": staticmethod(cursor.execute)})())
    return legacy


def test_version_1_events_from_before_the_migration_still_verify_and_new_ones_follow(alice):
    _legacy_chain(alice, 4)
    assert [(item.seq, item.hash_version) for item in AuditLink.objects.all()] == [(n, HASH_V1) for n in range(1, 5)]
    record(actor=alice, action="view", route="ui")
    record(actor=alice, action="view", route="ui")
    ok, message, checked = verify_chain()
    assert ok, message
    assert checked == 6
    assert link(5).hash_version == HASH_V2
    assert link(5).prev_hash == link(4).hash  # the keyed chain continues the old one


def test_an_altered_version_1_event_is_reported(alice):
    legacy = _legacy_chain(alice, 4)
    raw("UPDATE audit_auditevent SET reason = 'rewritten' WHERE id = %s", (legacy[1].pk,))
    ok, message, _ = verify_chain()
    assert not ok
    assert "altered" in message and "sequence 2" in message


def test_rotated_keys_verify_older_hashes(alice, settings, tmp_path):
    keyfile = tmp_path / "hmac.keys"
    keyfile.write_text("k1:" + "a" * 40 + "\n")
    settings.NYTH_AUDIT_HMAC_KEY_FILE = str(keyfile)
    record(actor=alice, action="view", route="ui")
    chain.seal_pending()
    keyfile.write_text("k1:" + "a" * 40 + "\nk2:" + "b" * 40 + "\n")
    record(actor=alice, action="view", route="ui")
    chain.seal_pending()
    assert list(AuditLink.objects.values_list("key_id", flat=True)) == ["k1", "k2"]
    assert verify_chain()[0]
    keyfile.write_text("k2:" + "b" * 40 + "\n")  # the old key lost: say so, do not pass
    ok, message, _ = verify_chain()
    assert not ok
    assert "'k1' is not configured" in message
    keyfile.write_text("k1:" + "c" * 40 + "\nk2:" + "b" * 40 + "\n")  # the wrong secret for k1
    assert "altered" in verify_chain()[1]


def test_a_missing_key_outside_the_demo_and_tests_is_a_configuration_error(settings):
    settings.NYTH_AUDIT_DEV_KEY_ALLOWED = False
    settings.NYTH_AUDIT_HMAC_KEY = ""
    settings.NYTH_AUDIT_HMAC_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="NYTH_AUDIT_HMAC_KEY"):
        chain.seal_pending()
    settings.NYTH_AUDIT_HMAC_KEY = "k1:too-short"
    with pytest.raises(ImproperlyConfigured, match="at least 32 bytes"):
        chain.hmac_keys()


def test_seal_audit_chains_waiting_events_and_commands_name_a_missing_key(alice, settings, capsys):
    record(actor=alice, action="view", route="ui")
    record(actor=alice, action="view", route="ui")
    call_command("seal_audit")
    assert "Sealed 2 audit events." in capsys.readouterr().out
    assert AuditEvent.objects.unsealed().count() == 0
    settings.NYTH_AUDIT_DEV_KEY_ALLOWED = False
    settings.NYTH_AUDIT_HMAC_KEY = settings.NYTH_AUDIT_HMAC_KEY_FILE = ""
    for command in ("seal_audit", "verify_audit"):
        with pytest.raises(CommandError, match="HMAC key is missing"):
            call_command(command)


def test_the_sequencer_refuses_to_extend_a_chain_whose_head_was_tampered_with(events, alice):
    raw("DELETE FROM audit_auditchainhead")  # a head lost (or moved back) with events still there
    record(actor=alice, action="view", route="ui")
    with pytest.raises(chain.ChainTailMismatch, match="last link is 5"):
        chain.seal_pending()
    ok, message, _ = verify_chain()  # seals nothing, reports the tail
    assert not ok
    assert "the chain head records sequence 0, the trail ends at 5" in message


def test_the_frequent_pass_leaves_late_commits_to_the_sweep(alice, settings, monkeypatch):
    """An event whose transaction commits after later events were chained has an id below the
    highest chained one: the worker's frequent pass ("new", an index range) skips it, the periodic
    sweep ("recent") and seal_audit ("all") chain it."""
    early, late, newest = (record(actor=alice, action="view", detail={"n": n}, route="ui") for n in range(3))
    real_candidates = chain._candidates
    # As if `early` and `late` were still uncommitted when the sequencer first ran.
    monkeypatch.setattr(chain, "_candidates", lambda scope, limit: [newest.pk])
    assert chain.seal_pending(scope="new") == 1
    monkeypatch.setattr(chain, "_candidates", real_candidates)

    assert chain.seal_pending(scope="new") == 0
    assert set(AuditEvent.objects.unsealed().values_list("pk", flat=True)) == {early.pk, late.pk}
    settings.NYTH_AUDIT_SWEEP_HOURS = 0  # both are now older than the sweep looks back
    assert chain.seal_pending(scope="recent") == 0
    settings.NYTH_AUDIT_SWEEP_HOURS = 48
    assert chain.seal_pending(scope="recent") == 2
    assert list(AuditLink.objects.order_by("seq").values_list("event_id", flat=True)) == [newest.pk, early.pk, late.pk]
    assert verify_chain(seal=False)[0]
    fresh = record(actor=alice, action="view", route="ui")
    assert chain.seal_pending(scope="new") == 1 and AuditLink.objects.get(event=fresh).seq == 4
