"""Merging two records of one child, and undoing it: rows move and move back exactly, both
children's audit trails record it, history is kept, and only the service manager may do it."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from simple_history.models import HistoricalChanges

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEvent
from audit.services import verify_chain
from people.models import (
    BreakGlassAccess,
    CareTeamMembership,
    Child,
    MergeRecord,
    Placement,
    RelatedPerson,
)
from people.services import _child_relations, merge_children, unmerge_children
from people.tests.factories import CareTeamFactory, ChildFactory, PlacementFactory, RelatedPersonFactory

pytestmark = pytest.mark.django_db

REASON = "Same child: NHS number and birth details confirmed with the social worker."


@pytest.fixture
def duplicate(south, alice, bob, duty):
    """A second record of ``child`` (the conftest Siôn Prydderch), with rows of its own."""
    dup = ChildFactory(
        service=south, given_name="Sion", family_name="Prydderch", date_of_birth=datetime.date(2012, 3, 27)
    )
    CareTeamFactory(child=dup, user=alice, role="lead")  # alice is in both care teams
    CareTeamFactory(child=dup, user=bob, role="practitioner")
    PlacementFactory(child=dup, start_date=datetime.date(2024, 5, 1))
    RelatedPersonFactory(child=dup, name="Geraint Prawf")
    now = timezone.now()
    BreakGlassAccess.objects.create(user=duty, child=dup, reason="Emergency overnight call", expires_at=now)
    return dup


def rows_of(kid):
    return {
        "placements": set(Placement.objects.filter(child=kid).values_list("pk", flat=True)),
        "related": set(RelatedPerson.objects.filter(child=kid).values_list("pk", flat=True)),
        "care_team": set(CareTeamMembership.objects.filter(child=kid).values_list("pk", flat=True)),
        "break_glass": set(BreakGlassAccess.objects.filter(child=kid).values_list("pk", flat=True)),
    }


def test_merge_moves_every_row_and_records_exactly_which(manager, child, duplicate, alice, bob):
    keep_before, merge_before = rows_of(child), rows_of(duplicate)
    alice_on_duplicate = CareTeamMembership.objects.get(child=duplicate, user=alice).pk
    history_before = Placement.history.count()

    record = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == child
    assert duplicate not in Child.objects.current()
    assert child in Child.objects.current()
    after = rows_of(child)
    for kind in ("placements", "related", "break_glass"):
        assert after[kind] == keep_before[kind] | merge_before[kind], kind
    # alice was already in the kept record's care team: her second membership stays where it was.
    assert after["care_team"] == keep_before["care_team"] | (merge_before["care_team"] - {alice_on_duplicate})
    assert rows_of(duplicate)["care_team"] == {alice_on_duplicate}
    assert CareTeamMembership.objects.filter(child=child, user=bob).exists()

    assert record.moved == {
        "people.Placement": sorted(merge_before["placements"]),
        "people.RelatedPerson": sorted(merge_before["related"]),
        "people.CareTeamMembership": sorted(merge_before["care_team"] - {alice_on_duplicate}),
        "people.BreakGlassAccess": sorted(merge_before["break_glass"]),
    }
    assert record.left_in_place == {"people.CareTeamMembership": [alice_on_duplicate]}
    assert (record.keep, record.merged, record.by, record.reason) == (child, duplicate, manager, REASON)
    # History is kept and grows: the move itself is in the field history.
    assert Placement.history.count() == history_before + len(merge_before["placements"])
    assert Child.history.filter(id=duplicate.pk).count() >= 2


def test_merge_is_audited_for_both_children(manager, child, duplicate):
    record = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    kept_event = AuditEvent.objects.get(action=Action.MERGE, child_id=child.pk)
    merged_event = AuditEvent.objects.get(action=Action.MERGE, child_id=duplicate.pk)
    assert kept_event.detail["merged"] == duplicate.pk
    assert merged_event.detail["merged_into"] == child.pk
    assert kept_event.detail["merge_record"] == merged_event.detail["merge_record"] == record.pk
    assert kept_event.reason == REASON and kept_event.actor == manager
    assert verify_chain()[0]


def test_unmerge_moves_exactly_those_rows_back(manager, child, duplicate):
    keep_before, merge_before = rows_of(child), rows_of(duplicate)
    record = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    added_after_merge = PlacementFactory(child=child, start_date=datetime.date(2025, 1, 1))

    undone = unmerge_children(by=manager, record=record, reason="Not the same child after all: different parents.")

    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert duplicate in Child.objects.current()
    assert rows_of(duplicate) == merge_before
    after = rows_of(child)
    assert after["placements"] == keep_before["placements"] | {added_after_merge.pk}
    for kind in ("related", "care_team", "break_glass"):
        assert after[kind] == keep_before[kind], kind
    assert undone.undone_by == manager and undone.undone_at is not None
    assert undone.undo_reason.startswith("Not the same child")

    events = AuditEvent.objects.filter(action=Action.UPDATE, detail__has_key="unmerged")
    assert {e.child_id: e.detail["unmerged"] for e in events} == {child.pk: duplicate.pk, duplicate.pk: child.pk}
    assert verify_chain()[0]
    # Nothing was deleted: the merge record stays, marked undone.
    assert MergeRecord.objects.filter(pk=record.pk, undone_at__isnull=False).exists()


def test_an_undone_merge_cannot_be_undone_twice(manager, child, duplicate):
    record = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    unmerge_children(by=manager, record=record, reason="Different children, checked twice.")
    with pytest.raises(ValidationError):
        unmerge_children(by=manager, record=record, reason="Different children, checked twice.")


def test_a_later_merge_must_be_undone_first(manager, child, duplicate, south):
    third = ChildFactory(service=south, given_name="John", family_name="Prydderch")
    first = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    second = merge_children(by=manager, keep=third, merge=child, reason=REASON)
    with pytest.raises(ValidationError):
        unmerge_children(by=manager, record=first, reason="Undo the first merge please.")
    unmerge_children(by=manager, record=second, reason="Undo the second merge first.")
    unmerge_children(by=manager, record=first, reason="Now undo the first merge.")
    assert set(Child.objects.current().filter(pk__in=[child.pk, duplicate.pk, third.pk])) == {child, duplicate, third}


@pytest.mark.parametrize("who", ["alice", "bob", "duty", "charlie", "partner", "commissioner", "administrator"])
def test_only_a_service_manager_of_the_holding_service_may_merge(request, who, child, duplicate, manager):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        merge_children(by=user, keep=child, merge=duplicate, reason=REASON)
    record = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    with pytest.raises(PermissionDenied):
        unmerge_children(by=user, record=record, reason="Trying to undo someone else's merge.")
    assert not AuditEvent.objects.filter(actor=user, action__in=[Action.MERGE]).exists()


def test_a_manager_of_another_service_may_not_merge(north, child, duplicate):
    other_manager = UserFactory(username="north-manager", organisation=north, role=Role.SERVICE_MANAGER)
    with pytest.raises(PermissionDenied):
        merge_children(by=other_manager, keep=child, merge=duplicate, reason=REASON)


def test_records_of_different_services_are_not_merged(manager, child, north):
    elsewhere = ChildFactory(service=north, given_name="Siôn", family_name="Prydderch")
    with pytest.raises(PermissionDenied):
        merge_children(by=manager, keep=child, merge=elsewhere, reason=REASON)


def test_merge_refuses_bad_requests(manager, child, duplicate, south):
    with pytest.raises(ValidationError):
        merge_children(by=manager, keep=child, merge=child, reason=REASON)
    with pytest.raises(ValidationError):
        merge_children(by=manager, keep=child, merge=duplicate, reason="same")
    merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    again = ChildFactory(service=south, given_name="Siôn", family_name="Prydderch")
    with pytest.raises(ValidationError):
        merge_children(by=manager, keep=again, merge=duplicate, reason=REASON)
    assert MergeRecord.objects.count() == 1


def test_every_relation_to_a_child_is_moved_except_history_and_the_merge_links():
    """Later apps' models (referrals, plans...) are found without changing the merge code."""
    expected = set()
    for model in apps.get_models():
        if model is MergeRecord or issubclass(model, HistoricalChanges):
            continue
        for field in model._meta.get_fields():
            if (
                (field.many_to_one or field.one_to_one)
                and field.concrete
                and field.related_model is Child
                and field.name != "merged_into"
            ):
                expected.add((model, field.name))
    assert {(model, name) for model, name, _label in _child_relations()} == expected
    assert {"people.Placement", "people.RelatedPerson", "people.CareTeamMembership", "people.BreakGlassAccess"} <= {
        label for _m, _n, label in _child_relations()
    }


def test_merge_records_are_visible_through_the_kept_child(manager, child, duplicate, alice, charlie, commissioner):
    record = merge_children(by=manager, keep=child, merge=duplicate, reason=REASON)
    assert list(MergeRecord.objects.visible_to(manager)) == [record]
    assert list(MergeRecord.objects.visible_to(alice)) == [record]
    assert not MergeRecord.objects.visible_to(charlie).exists()
    assert not MergeRecord.objects.visible_to(commissioner).exists()
