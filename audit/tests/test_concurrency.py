"""Appends do not wait for each other (ADR 012): real concurrent connections on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from audit import chain
from audit.models import AuditChainHead, AuditEvent, AuditLink
from audit.services import record

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks; CI runs this on PostgreSQL"),
]
JOIN_TIMEOUT = 60  # a deadlock fails the test instead of hanging it


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def old_locking_record(**kwargs: Any) -> None:
    """The append of ADR 002, for comparison: it holds the head row until the caller commits."""
    AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    record(**kwargs)


@pytest.mark.parametrize(("append", "waits"), [(record, False), (old_locking_record, True)], ids=["now", "before"])
def test_an_open_transaction_that_has_recorded_does_not_block_another_record(alice, append, waits):
    recorded, finish = threading.Event(), threading.Event()

    def long_request() -> None:
        with transaction.atomic():
            append(actor=alice, action="view", detail={"long": True}, route="ui")
            recorded.set()
            assert finish.wait(JOIN_TIMEOUT)

    thread, errors = in_thread(long_request)
    try:
        assert recorded.wait(JOIN_TIMEOUT)
        # Any wait for a lock fails at once instead of being waited out.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            if waits:
                # The probe is sensitive: the old design is refused by this very timeout.
                with pytest.raises(OperationalError, match="lock timeout"):
                    append(actor=alice, action="view", detail={"short": True}, route="ui")
                return
            append(actor=alice, action="view", detail={"short": True}, route="ui")
        assert AuditEvent.objects.filter(detail__short=True).exists()  # committed while the other is open
    finally:
        finish.set()
        thread.join(JOIN_TIMEOUT)
    assert not errors
    assert chain.seal_pending() == 2
    assert chain.verify().ok


def test_many_threads_recording_at_once_with_sequencers_running_give_one_unforked_chain(alice):
    writers, per_writer = 8, 25
    barrier = threading.Barrier(writers + 2)
    done = threading.Event()

    def write(n: int) -> Callable[[], None]:
        def run() -> None:
            barrier.wait(JOIN_TIMEOUT)
            for i in range(per_writer):
                with transaction.atomic():
                    record(actor=alice, action="view", detail={"writer": n, "i": i}, route="ui")

        return run

    def sequence() -> None:
        barrier.wait(JOIN_TIMEOUT)
        while not done.is_set():
            chain.seal_pending(limit=7)

    started = [in_thread(write(n)) for n in range(writers)]
    sequencers = [in_thread(sequence) for _ in range(2)]  # two at once must take turns, not fork
    for thread, _ in started:
        thread.join(JOIN_TIMEOUT)
    done.set()
    for thread, _ in sequencers:
        thread.join(JOIN_TIMEOUT)
    assert all(not errors for _, errors in started + sequencers), [
        e for _, errors in started + sequencers for e in errors
    ]
    chain.seal_pending()
    total = writers * per_writer
    assert AuditEvent.objects.count() == total
    assert list(AuditLink.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditLink.objects.values("event").distinct().count() == total  # every event exactly once
    result = chain.verify(seal=False)
    assert result.ok, result.message
    assert result.checked == total
