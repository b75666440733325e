"""Several managers approving the same request at the same moment, against PostgreSQL: the
request row is locked (``select_for_update``), so the values are applied once, one approval is
recorded, and every other manager is told it has been decided."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from accounts import services
from accounts.models import AccessRequest, Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from audit.services import verify_chain

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks; CI runs this on PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

N = 6
JOIN_TIMEOUT = 60  # seconds: a deadlock fails the test instead of hanging it


def test_simultaneous_approvals_apply_once(administrator, alice, south):
    managers = [UserFactory(username=f"mgr{i}", organisation=south, role=Role.SERVICE_MANAGER) for i in range(N)]
    _, access_request = services.update_user(by=administrator, user=alice, values={"role": Role.DUTY_WORKER})
    barrier = threading.Barrier(N)
    results: list[tuple[str, Any]] = [("", None)] * N

    def approve(i: int) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            approval = services.approve(by=managers[i], request_pk=access_request.pk)
            results[i] = ("approved", approval)
        except services.DecisionRefused as refused:
            results[i] = ("refused", refused.message)
        except Exception as error:  # recorded, then asserted on below
            results[i] = ("error", repr(error))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an approval is stuck (deadlock?)"
    outcomes = [kind for kind, _ in results]
    assert outcomes.count("approved") == 1 and outcomes.count("refused") == N - 1, results
    access_request.refresh_from_db()
    alice.refresh_from_db()
    assert access_request.outcome == "approved" and alice.role == Role.DUTY_WORKER
    assert (
        AuditEvent.objects.filter(
            action="review", object_type="accounts.accessrequest", object_id=str(access_request.pk)
        ).count()
        == 1
    )
    assert AccessRequest.objects.filter(account=alice).count() == 1
    assert verify_chain()[0]
