"""Signed checkpoints: a wiped, shortened or restarted trail fails verification (ADR 012)."""

import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import chain
from audit.models import AuditChainHead, AuditEvent, AuditLink
from audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(tmp_path):
    private, public = tmp_path / "checkpoint.key", tmp_path / "checkpoint.pub"
    call_command("audit_keygen", "--private", str(private), "--public", str(public))
    return private, public


@pytest.fixture
def checkpoint_dir(tmp_path):
    return tmp_path / "checkpoints"


def checkpoint(keys, directory):
    call_command("audit_checkpoint", "--dir", str(directory), "--key", str(keys[0]))


def verify_with_checkpoints(keys, directory, *extra):
    call_command("verify_audit", "--checkpoints", str(directory), "--public-key", str(keys[1]), *extra)


def wipe():
    """What an owner of the database can do: with triggers off (PostgreSQL: replica mode, which
    also skips the TRUNCATE and head triggers), empty the events and links and drop the head."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("TRUNCATE audit_auditlink, audit_auditevent")
            cursor.execute("DELETE FROM audit_auditchainhead")
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DELETE FROM audit_auditlink")
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("DELETE FROM audit_auditchainhead")


@pytest.fixture
def trail(alice):
    for n in range(6):
        record(actor=alice, action="view", child_id=3, detail={"n": n}, route="ui")


def test_keygen_writes_a_private_key_only_its_owner_can_read_and_never_overwrites_it(keys):
    private, public = keys
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"PUBLIC KEY" in public.read_bytes()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit_keygen", "--private", str(private), "--public", str(public))


def test_a_checkpoint_seals_then_signs_the_head_and_verifies(trail, keys, checkpoint_dir, capsys):
    checkpoint(keys, checkpoint_dir)
    [written] = list(checkpoint_dir.glob("checkpoint-*.json"))
    document = json.loads(written.read_text())
    head = AuditChainHead.objects.get(pk=1)
    assert (document["seq"], document["hash"]) == (6, head.last_hash)
    assert AuditEvent.objects.unsealed().count() == 0
    verify_with_checkpoints(keys, checkpoint_dir)
    assert "1 signed checkpoints match the trail" in capsys.readouterr().out


def test_the_checkpoint_key_must_be_private(trail, keys, checkpoint_dir):
    keys[0].chmod(0o644)
    with pytest.raises(CommandError, match="chmod 600"):
        checkpoint(keys, checkpoint_dir)


def test_a_wiped_trail_passes_plain_verification_at_best_but_fails_against_checkpoints(
    trail, alice, keys, checkpoint_dir, capsys
):
    checkpoint(keys, checkpoint_dir)
    record(actor=alice, action="view", route="ui")  # more after the checkpoint: fine
    verify_with_checkpoints(keys, checkpoint_dir)
    wipe()
    assert AuditEvent.objects.count() == AuditLink.objects.count() == 0
    call_command("verify_audit")  # the most the chain alone can say
    assert "0 events verified" in capsys.readouterr().out
    # The head went with the rows (nothing recreates it: there was nothing to seal).
    with pytest.raises(CommandError, match="head is missing, but checkpoint .* records sequence 6"):
        verify_with_checkpoints(keys, checkpoint_dir)


def test_a_restarted_trail_fails_against_checkpoints(trail, alice, keys, checkpoint_dir):
    checkpoint(keys, checkpoint_dir)
    wipe()
    for n in range(10):  # a new chain, longer than the checkpoint, internally consistent
        record(actor=alice, action="view", detail={"again": n}, route="ui")
    assert chain.verify().ok
    with pytest.raises(CommandError, match="restarted or rewritten: sequence 6"):
        verify_with_checkpoints(keys, checkpoint_dir)


def test_a_lost_head_fails_against_checkpoints(trail, keys, checkpoint_dir):
    checkpoint(keys, checkpoint_dir)
    wipe()
    with pytest.raises(CommandError, match="head is missing"):
        verify_with_checkpoints(keys, checkpoint_dir, "--no-seal")


def test_a_forged_or_foreign_checkpoint_fails(trail, keys, checkpoint_dir, tmp_path):
    checkpoint(keys, checkpoint_dir)
    [written] = list(checkpoint_dir.glob("checkpoint-*.json"))
    document = json.loads(written.read_text())
    document["seq"] = 3  # an attacker "moves" the checkpoint back to fit a shortened trail
    written.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="signature does not verify"):
        verify_with_checkpoints(keys, checkpoint_dir)
    # A checkpoint signed by another key (the attacker's own) fails against our public key.
    other = (tmp_path / "other.key", tmp_path / "other.pub")
    call_command("audit_keygen", "--private", str(other[0]), "--public", str(other[1]))
    written.unlink()
    checkpoint(other, checkpoint_dir)
    with pytest.raises(CommandError, match="signature does not verify"):
        verify_with_checkpoints(keys, checkpoint_dir)


def test_checkpoints_are_required_once_asked_for(trail, keys, checkpoint_dir):
    checkpoint_dir.mkdir()
    with pytest.raises(CommandError, match="No checkpoints"):
        verify_with_checkpoints(keys, checkpoint_dir)
    with pytest.raises(CommandError, match="--public-key"):
        call_command("verify_audit", "--checkpoints", str(checkpoint_dir))


def test_a_restored_backup_is_compared_with_the_checkpoints_up_to_its_time(trail, keys, checkpoint_dir, capsys):
    import base64

    from audit import checkpoints

    checkpoint(keys, checkpoint_dir)
    backup_time = json.loads(next(checkpoint_dir.glob("checkpoint-*.json")).read_text())["time"]
    # A checkpoint signed after the backup, when the live trail had grown to 50 events.
    at = "2099-01-01T00:00:00+00:00"
    signature = checkpoints.load_private_key(keys[0]).sign(checkpoints._payload(50, "f" * 64, at))
    (checkpoint_dir / "checkpoint-000000000050-later.json").write_text(
        json.dumps(
            {
                "format": checkpoints.FORMAT,
                "seq": 50,
                "hash": "f" * 64,
                "time": at,
                "signature": base64.b64encode(signature).decode(),
            }
        )
    )
    with pytest.raises(CommandError, match="shorter than checkpoint checkpoint-000000000050"):
        verify_with_checkpoints(keys, checkpoint_dir)
    verify_with_checkpoints(keys, checkpoint_dir, "--checkpoints-until", backup_time)
    assert "1 signed checkpoints match the trail" in capsys.readouterr().out
    with pytest.raises(CommandError, match="signed before"):
        verify_with_checkpoints(keys, checkpoint_dir, "--checkpoints-until", "2000-01-01T00:00:00")
