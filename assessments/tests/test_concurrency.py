"""Many people saving one section at the same moment, against PostgreSQL: every save either
becomes a version or is refused (``StaleSectionError`` carrying the text intact); of saves made
from the same starting version exactly one wins; version numbers run 1, 2, 3… with no gap and no
duplicate; and no stored text is ever overwritten.

Each thread has its own database connection (Django's are per thread) and all start together
(a barrier). ``assessments.services.save_section`` takes a row lock on the assessment while it
checks the latest version; the unique constraint on (assessment, section, number) is the backstop.
The audit trail also takes a lock (its chain head), but only *after* the version is committed, so
it decides nothing here – and the tests below switch it off to prove exactly that, then switch
the row lock off too to prove the constraint alone still refuses every lost update.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from accounts.models import Role
from accounts.tests.factories import UserFactory
from assessments import services
from assessments.models import Assessment, SectionVersion
from assessments.services import StaleSectionError, save_section
from audit.models import AuditEvent
from audit.services import verify_chain
from people.tests.factories import CareTeamFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks; CI runs this on PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

N = 12
SECTION = "my_story"
JOIN_TIMEOUT = 60  # seconds: a deadlock fails the test instead of hanging it


class CountingCreate:
    """Counts the versions the service *tried* to insert (thread-safe), to tell which mechanism
    refused a save: a refusal under the row lock never reaches the insert; without it, the
    insert is tried and the unique constraint refuses it."""

    def __init__(self, create: Callable[..., Any]) -> None:
        self.create = create
        self.tries = 0
        self.lock = threading.Lock()

    def __call__(self, **kwargs: Any) -> Any:
        with self.lock:
            self.tries += 1
        return self.create(**kwargs)


class Gate:
    """Holds every thread at one point inside ``save_section`` until all twelve are there, so
    the race is real every time rather than when the scheduler happens to allow it."""

    def __init__(self) -> None:
        self.barrier: threading.Barrier | None = None
        self.passed = 0
        self.lock = threading.Lock()

    def hold(self, n: int) -> None:
        self.barrier = threading.Barrier(n)

    def release(self) -> None:
        self.barrier = None

    def wait(self) -> None:
        if self.barrier is not None:
            self.barrier.wait(timeout=JOIN_TIMEOUT)
            with self.lock:
                self.passed += 1  # (after the barrier: only counts threads that all met there)


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def team(child, alice):
    """Twelve practitioners on the child's care team (``alice`` and eleven more)."""
    people = [alice]
    for n in range(1, N):
        user = UserFactory(username=f"writer{n}", organisation=alice.organisation, role=Role.PRACTITIONER)
        CareTeamFactory(child=child, user=user, role="practitioner")
        people.append(user)
    services.assessment_for(child)
    return people


@pytest.fixture
def counting(monkeypatch):
    counter = CountingCreate(SectionVersion.objects.create)
    monkeypatch.setattr(SectionVersion.objects, "create", counter)
    return counter


@pytest.fixture
def audit_off(monkeypatch):
    """No audit lock at all, so nothing but save_section's own rule can serialise the saves."""
    monkeypatch.setattr(services, "record", lambda **kwargs: None)


@pytest.fixture
def row_lock_off(monkeypatch):
    """select_for_update does nothing: only the database's unique constraint is left."""
    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)


def run_together(work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run ``work(i)`` for i in 0..N-1 in N threads released at the same moment; return for each
    ("saved", version) or ("stale", error); anything else fails the test."""
    barrier = threading.Barrier(N)
    results: list[tuple[str, Any] | None] = [None] * N

    def thread(i: int) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[i] = ("saved", work(i))
        except StaleSectionError as exc:
            results[i] = ("stale", exc)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            results[i] = ("error", exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a save never finished (deadlock?)"
    errors = [r for r in results if r is None or r[0] == "error"]
    assert not errors, errors
    return results  # type: ignore[return-value]


def stored(child) -> list[SectionVersion]:
    return list(SectionVersion.objects.filter(assessment__child=child, section=SECTION).order_by("number"))


def assert_one_race_from_the_same_base(results, texts: list[str], base: int, child) -> SectionVersion:
    """Exactly one save from ``base`` won; every other was refused with its words intact and was
    shown the winner; each text is stored at most once, exactly as typed."""
    saved = [value for kind, value in results if kind == "saved"]
    refused = [(i, value) for i, (kind, value) in enumerate(results) if kind == "stale"]
    assert len(saved) == 1, f"{len(saved)} saves from version {base} succeeded"
    winner = saved[0]
    assert winner.number == base + 1
    for i, error in refused:
        assert error.attempted_text == texts[i]  # nothing typed is lost
        assert error.current.pk == winner.pk  # and they are shown what was saved instead
    by_text = {v.text: v for v in stored(child)}
    assert by_text[winner.text] == winner
    assert sum(1 for text in texts if text in by_text) == 1  # the refused texts were not stored
    return winner


def assert_contiguous(child, expected_count: int) -> None:
    versions = stored(child)
    assert [v.number for v in versions] == list(range(1, expected_count + 1))
    revisions = sorted(SectionVersion.objects.filter(assessment__child=child).values_list("revision", flat=True))
    assert revisions == list(range(1, expected_count + 1))  # assessment-wide numbers too
    assert Assessment.objects.get(child=child).revision == expected_count


def save_until_saved(user, child, text: str, based_on: int) -> tuple[SectionVersion, int]:
    """What a person does after a refusal: read the newer version and save again from it (with
    the words the refusal handed back)."""
    refusals = 0
    while True:
        try:
            return save_section(by=user, child=child, section=SECTION, text=text, based_on=based_on), refusals
        except StaleSectionError as exc:
            refusals += 1
            assert refusals < 10 * N, "never got to save"
            text, based_on = exc.attempted_text, exc.current.number


@pytest.mark.parametrize("audit", ["audited", "audit_off"])
def test_simultaneous_saves_become_versions_or_are_refused_and_nothing_is_lost(
    request, monkeypatch, audit, team, child, counting, gate
):
    if audit == "audit_off":
        request.getfixturevalue("audit_off")
    # All twelve reach the row lock together (each has checked permission, none holds a lock).
    take_lock = Assessment.objects.select_for_update

    def at_the_lock(*args: Any, **kwargs: Any) -> Any:
        gate.wait()
        return take_lock(*args, **kwargs)

    monkeypatch.setattr(Assessment.objects, "select_for_update", at_the_lock)

    # Round 1: twelve people save at once, all from "not written yet".
    texts = [f"Round one, writer {i}: the words of person number {i}." for i in range(N)]
    gate.hold(N)
    results = run_together(lambda i: save_section(by=team[i], child=child, section=SECTION, text=texts[i], based_on=0))
    gate.release()
    assert gate.passed == N  # all twelve asked for the lock at the same moment
    winner = assert_one_race_from_the_same_base(results, texts, 0, child)
    assert counting.tries == 1  # the row lock refused the others before any insert was tried
    assert_contiguous(child, 1)

    # Everyone refused saves again from what they were shown, with the words the refusal kept.
    refused = [(i, value) for i, (kind, value) in enumerate(results) if kind == "stale"]
    for i, error in refused:
        save_until_saved(team[i], child, error.attempted_text, error.current.number)
    assert {v.text for v in stored(child)} == set(texts)  # all twelve kept, none lost
    assert_contiguous(child, N)
    snapshot = {v.pk: (v.number, v.text, v.author_id) for v in stored(child)}
    assert snapshot[winner.pk] == (1, winner.text, winner.author_id)

    # Round 2: twelve more at once from version 12, each retrying until saved.
    more = [f"Round two, writer {i}: a later thought from person {i}." for i in range(N)]
    outcomes = run_together(lambda i: save_until_saved(team[i], child, more[i], N))
    assert all(kind == "saved" for kind, _ in outcomes)
    refusal_counts = [value[1] for _, value in outcomes]
    assert refusal_counts.count(0) == 1  # exactly one won from version 12 first time
    versions = stored(child)
    assert sorted(v.text for v in versions) == sorted(texts + more)  # every text exactly once
    assert_contiguous(child, 2 * N)
    # Nothing stored earlier was changed.
    assert {v.pk: (v.number, v.text, v.author_id) for v in versions if v.pk in snapshot} == snapshot
    # Each version is attributed to the person who wrote it.
    assert all(v.author == team[int(v.text.split("writer ")[1].split(":")[0])] for v in versions)
    if audit == "audited":
        # Every version audited once, no refusal recorded as a change, and the chain unbroken.
        events = AuditEvent.objects.filter(object_type="assessments.sectionversion")
        assert sorted(int(pk) for pk in events.values_list("object_id", flat=True)) == sorted(v.pk for v in versions)
        assert verify_chain()[0]


@pytest.mark.usefixtures("audit_off", "row_lock_off")
def test_without_the_row_lock_the_unique_constraint_alone_refuses_every_lost_update(
    monkeypatch, team, child, counting, gate
):
    """The backstop on its own: with no lock, all twelve pass the check (each sees "not written
    yet") and try to insert version 1; the database refuses all but one, and the service turns
    that refusal into the same StaleSectionError with the words intact."""
    bump_revision = Assessment.save

    def after_everyone_checked(self: Assessment, *args: Any, **kwargs: Any) -> None:
        gate.wait()
        bump_revision(self, *args, **kwargs)

    monkeypatch.setattr(Assessment, "save", after_everyone_checked)
    texts = [f"Unlocked, writer {i}: words that must not be lost." for i in range(N)]
    gate.hold(N)
    results = run_together(lambda i: save_section(by=team[i], child=child, section=SECTION, text=texts[i], based_on=0))
    gate.release()
    assert gate.passed == N  # all twelve had checked before any of them wrote
    assert_one_race_from_the_same_base(results, texts, 0, child)
    assert_contiguous(child, 1)
    assert counting.tries == N  # every one of them tried to insert version 1; the database let one in
    outcomes = run_together(lambda i: save_until_saved(team[i], child, f"Unlocked later, writer {i}: more.", 1))
    assert all(kind == "saved" for kind, _ in outcomes)
    assert_contiguous(child, N + 1)
    assert len({v.text for v in stored(child)}) == N + 1
