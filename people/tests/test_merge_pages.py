"""The pages around identity: possible duplicates, compare and merge, undo – managers only."""

import pytest
from django.urls import reverse

from people.models import Child, MergeRecord
from people.tests.factories import ChildFactory, RelatedPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(south, child):
    """The same child recorded twice: Sion without the circumflex, same date of birth."""
    duplicate = ChildFactory(
        service=south, given_name="Sion", family_name=child.family_name, date_of_birth=child.date_of_birth
    )
    RelatedPersonFactory(child=duplicate, name="Athro Dyblyg", role="teacher")
    return duplicate


def test_manager_finds_compares_merges_and_undoes(client_for, manager, child, twin):
    client = client_for(manager)
    listing = client.get(reverse("people:duplicates", args=[child.pk])).content.decode()
    assert "Sion" in listing and reverse("people:merge", args=[child.pk, twin.pk]) in listing
    compare = client.get(reverse("people:merge", args=[child.pk, twin.pk]))
    assert compare.status_code == 200
    missing_reason = client.post(reverse("people:merge", args=[child.pk, twin.pk]), {"keep": "this", "reason": ""})
    assert missing_reason.status_code == 200 and not MergeRecord.objects.exists()
    response = client.post(
        reverse("people:merge", args=[child.pk, twin.pk]),
        {"keep": "this", "reason": "Same child: confirmed with the social worker"},
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == child
    assert child.related_people.filter(name="Athro Dyblyg").exists()
    assert not Child.objects.current().filter(pk=twin.pk).exists()
    merge = MergeRecord.objects.get()
    page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Undo this merge" in page
    client.post(reverse("people:merge_undo", args=[merge.pk]), {"reason": "Twins, not the same child after all"})
    twin.refresh_from_db()
    assert twin.merged_into is None and twin.related_people.filter(name="Athro Dyblyg").exists()


def test_practitioners_cannot_merge(client_for, alice, child, twin):
    assert client_for(alice).get(reverse("people:duplicates", args=[child.pk])).status_code == 403
