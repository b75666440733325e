"""Refused attempts (issue 11 §3): a 404 from the scope for a record that exists is recorded –
outside the request's rolled-back transaction, after the response is sent – and the reader
cannot tell from the response (or the work done before it) whether the record exists."""

from __future__ import annotations

import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from people.access import RefusedAccess, get_visible_or_404
from people.models import Child
from people.tests.factories import ChildFactory

MISSING = 987654


def refused_events():
    return list(AuditEvent.objects.filter(action="refused").order_by("id"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_record_outside_the_scope_is_a_404_and_a_committed_refused_attempt(client_for, charlie, child):
    response = client_for(charlie).get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 404
    # transaction=True: the request really committed or rolled back; this is a fresh query.
    [event] = refused_events()
    assert event.actor_id == charlie.pk
    assert event.object_type == "people.child"
    assert event.object_id == str(child.pk)
    assert event.child_id == child.pk
    assert event.detail["path"] == reverse("people:detail", args=[child.pk])
    assert event.detail["found"] is True
    assert event.route == "ui"


@pytest.mark.django_db
def _as_seen(response, pk: int) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', response.content.decode())
    return body.replace(f"/children/{pk}/", "/children/ID/")


def test_a_record_that_does_not_exist_is_the_same_404_recorded_as_not_found(client_for, charlie, child):
    outside = client_for(charlie).get(reverse("people:detail", args=[child.pk]))
    missing = client_for(charlie).get(reverse("people:detail", args=[MISSING]))
    assert missing.status_code == outside.status_code == 404
    # Nothing on the page tells them apart: the 404 keeps the signed-in navigation, so only
    # the address they typed (in the language link) and the per-page CSRF mask differ.
    assert _as_seen(missing, MISSING) == _as_seen(outside, child.pk)
    found, not_found = refused_events()
    assert found.detail["found"] is True
    assert not_found.detail["found"] is False
    assert not_found.child_id is None
    assert not_found.object_type == ""
    assert not_found.detail["object_id"] == str(MISSING)


@pytest.mark.django_db
def test_a_related_record_outside_the_scope_names_its_child(client_for, charlie, child):
    """A person around the child, asked for under a child the stranger may not see either: the
    first refusal (the child) ends the request; a person asked for under a visible child names
    their own child."""
    person = child.related_people.get()
    stranger = client_for(charlie)
    assert stranger.get(reverse("people:related_person_detail", args=[child.pk, person.pk])).status_code == 404
    [event] = refused_events()
    assert (event.object_type, event.child_id) == ("people.child", child.pk)
    from people.models import RelatedPerson

    with pytest.raises(RefusedAccess) as refused:
        get_visible_or_404(charlie, RelatedPerson.objects.visible_to(charlie), pk=person.pk)
    assert refused.value.child_id == child.pk and refused.value.object_type == "people.relatedperson"


def _close(response):
    """What the WSGI server does after sending the body – without letting ``request_finished``
    close the test's database connection (Django's test client does the same)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _wsgi_environ(client, path):
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    environ["HTTP_COOKIE"] = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    return environ


@pytest.mark.django_db
def test_the_refusal_is_written_only_after_the_response_is_sent(client_for, charlie, child):
    """The WSGI server sends the body, then calls close(): the write happens in close()."""
    stranger = client_for(charlie)
    handler = WSGIHandler()
    response = handler.get_response(
        handler.request_class(_wsgi_environ(stranger, reverse("people:detail", args=[child.pk])))
    )
    assert response.status_code == 404
    assert refused_events() == []  # the 404 is ready to send; nothing written yet
    _close(response)
    assert len(refused_events()) == 1


@pytest.mark.django_db
def test_both_404s_do_the_same_work_before_the_response(client_for, charlie, child):
    """The same queries, in the same shape, whether the record exists outside the scope or not
    at all: the response time cannot depend on it."""
    stranger = client_for(charlie)
    handler = WSGIHandler()
    shapes = []
    for pk in (child.pk, MISSING):
        request = handler.request_class(_wsgi_environ(stranger, reverse("people:detail", args=[pk])))
        with CaptureQueriesContext(connection) as queries:
            response = handler.get_response(request)
        assert response.status_code == 404
        # The shape of each query: literals (the id, the session's expiry time) blanked out.
        shapes.append([re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries])
        _close(response)
    assert shapes[0] == shapes[1]


@pytest.mark.django_db
def test_the_helper_returns_a_visible_record_and_raises_refused_for_others(alice, charlie, child):
    assert get_visible_or_404(alice, Child.objects.visible_to(alice), pk=child.pk) == child
    with pytest.raises(RefusedAccess) as refused:
        get_visible_or_404(charlie, Child.objects.visible_to(charlie), pk=child.pk)
    assert refused.value.found and refused.value.child_id == child.pk
    with pytest.raises(RefusedAccess) as missing:
        get_visible_or_404(charlie, Child.objects.visible_to(charlie), pk=MISSING)
    assert not missing.value.found
    from django.http import Http404

    with pytest.raises(Http404):
        get_visible_or_404(charlie, Child.objects.visible_to(charlie), pk="not a number")


@pytest.mark.django_db
def test_the_managers_review_lists_refused_attempts_by_their_own_staff_only(
    client_for, manager, bob, charlie, north, child
):
    other_child = ChildFactory(service=north)
    client_for(bob).get(reverse("people:detail", args=[other_child.pk]))  # South's practitioner, outside scope
    client_for(charlie).get(reverse("people:detail", args=[child.pk]))  # North's practitioner
    page = client_for(manager).get(reverse("people:break_glass_review")).content.decode()
    assert "Refused attempts" in page
    assert "Bob Ymarferydd" in page
    assert "Charlie Dieithryn" not in page
    assert reverse("people:detail", args=[other_child.pk]) in page  # the address they tried
