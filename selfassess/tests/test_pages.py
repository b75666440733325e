"""The self-assessment's pages: who sees what, bad input kept, stale saves explained, Welsh,
audit, and query counts that do not grow with rounds or statements."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation
from audit.models import AuditEvent
from selfassess import services
from selfassess.models import Level, Rating, Round, Statement
from selfassess.tests.conftest import completed_round, rate_all

DAY = datetime.date(2026, 9, 1)


@pytest.fixture
def draft(south, manager, framework):
    return services.start_round(by=manager, service=south, assessed_on=DAY)


def _ratings_post(round_: Round, level_value: int | None = 2, **overrides) -> dict:
    data = {"version": str(round_.version)}
    levels = {lv.value: lv.pk for lv in Level.objects.filter(framework_id=round_.framework_id)}
    for rating in Rating.objects.filter(round=round_):
        sid = rating.statement_id
        data[f"level_{sid}"] = str(levels[level_value]) if level_value else ""
        data[f"evidence_{sid}"] = "Case audit, June"
        data[f"links_{sid}"] = ""
    data.update(overrides)
    return data


def test_a_manager_rates_the_statements_and_the_page_says_it_is_nyths_reading(client_for, manager, draft):
    client = client_for(manager)
    page = client.get(reverse("selfassess:detail", args=[draft.pk])).content.decode()
    assert "Nyth&#x27;s own reading" in page or "Nyth's own reading" in page
    response = client.post(reverse("selfassess:edit", args=[draft.pk]), _ratings_post(draft, 3))
    assert response.status_code == 302
    assert set(Rating.objects.filter(round=draft).values_list("level__value", flat=True)) == {3}
    assert AuditEvent.objects.filter(object_type="selfassess.round", object_id=str(draft.pk), action="update").exists()


def test_a_bad_link_is_refused_and_everything_typed_is_kept(client_for, manager, draft):
    first = Statement.objects.filter(domain__framework_id=draft.framework_id).first()
    data = _ratings_post(draft, 2, **{f"links_{first.pk}": "javascript:alert(1)", f"evidence_{first.pk}": "Kept words"})
    response = client_for(manager).post(reverse("selfassess:edit", args=[draft.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "is not a web address" in body and "Kept words" in body and "javascript:alert(1)" in body
    assert not Rating.objects.filter(round=draft, level__isnull=False).exists()


def test_a_stale_save_is_refused_with_the_typing_kept(client_for, manager, draft):
    data = _ratings_post(draft, 4)
    rate_all(draft, manager, 1)  # someone else saved first
    first = Statement.objects.filter(domain__framework_id=draft.framework_id).first()
    data[f"evidence_{first.pk}"] = "My unsaved words"
    response = client_for(manager).post(reverse("selfassess:edit", args=[draft.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else changed this self-assessment" in body and "My unsaved words" in body
    assert set(Rating.objects.filter(round=draft).values_list("level__value", flat=True)) == {1}


def test_practitioners_read_but_change_nothing_and_other_services_get_404(
    client_for, alice, charlie, partner, administrator, draft
):
    reader = client_for(alice)
    assert reader.get(reverse("selfassess:detail", args=[draft.pk])).status_code == 200
    assert reader.get(reverse("selfassess:index")).status_code == 200
    for name in ("selfassess:edit", "selfassess:complete", "selfassess:action_create"):
        assert reader.get(reverse(name, args=[draft.pk])).status_code == 403
        assert reader.post(reverse(name, args=[draft.pk]), {"version": draft.version}).status_code == 403
    assert reader.get(reverse("selfassess:start")).status_code == 403
    stranger = client_for(charlie)
    for name in ("selfassess:detail", "selfassess:edit", "selfassess:complete"):
        assert stranger.get(reverse(name, args=[draft.pk])).status_code == 404
    assert "Gwasanaeth" not in stranger.get(reverse("selfassess:index")).content.decode()
    for user in (partner, administrator):
        assert client_for(user).get(reverse("selfassess:index")).status_code == 403


def test_a_manager_of_another_service_gets_nothing(client_for, north, draft):
    from accounts.tests.factories import UserFactory

    other = UserFactory(username="north-manager", organisation=north, role="service_manager")
    client = client_for(other)
    assert client.get(reverse("selfassess:detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("selfassess:edit", args=[draft.pk]), _ratings_post(draft)).status_code == 404
    assert "South Service" not in client.get(reverse("selfassess:maturity")).content.decode()


def test_a_commissioner_reads_the_rounds_of_their_region_only(client_for, commissioner, south, manager, draft):
    client = client_for(commissioner)
    assert client.get(reverse("selfassess:detail", args=[draft.pk])).status_code == 404  # South not in the region
    south.region = Organisation.objects.get(code="RPB-CV")
    south.save()
    assert client.get(reverse("selfassess:detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("selfassess:edit", args=[draft.pk])).status_code == 403
    response = client.post(reverse("selfassess:complete", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 403
    assert client.get(reverse("selfassess:start")).status_code == 403


def test_completing_with_statements_unrated_says_how_many(client_for, manager, draft):
    response = client_for(manager).post(reverse("selfassess:complete", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 200
    assert "14 still without one" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_completed


def test_a_completed_round_offers_no_change(client_for, manager, south):
    done = completed_round(south, manager, DAY, 2)
    client = client_for(manager)
    page = client.get(reverse("selfassess:detail", args=[done.pk])).content.decode()
    assert reverse("selfassess:edit", args=[done.pk]) not in page
    response = client.post(reverse("selfassess:edit", args=[done.pk]), _ratings_post(done, 4))
    assert response.status_code == 302
    assert set(Rating.objects.filter(round=done).values_list("level__value", flat=True)) == {2}


def test_the_action_form_keeps_what_was_typed_and_refuses_a_past_owner(client_for, manager, charlie, draft):
    client = client_for(manager)
    url = reverse("selfassess:action_create", args=[draft.pk])
    data = {"version": draft.version, "text": "Recruit Welsh speakers", "owner": charlie.pk, "due_on_day": "1",
            "due_on_month": "12", "due_on_year": "2026", "status": "not_started"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Recruit Welsh speakers" in body and "Select a valid choice" in body and "Enter a date" not in body
    assert not draft.actions.exists()


def test_maturity_over_two_rounds_in_welsh_and_english(client_for, manager, south):
    completed_round(south, manager, datetime.date(2026, 3, 1), 1)
    completed_round(south, manager, datetime.date(2026, 9, 1), {
        "nurturing": 2, "empowering": 3, "safe": 4, "trusted": 2, "long-term-transitions": 2,
        "welsh-language": 3, "outcomes": 1})  # fmt: skip
    client = client_for(manager)
    english = client.get(reverse("selfassess:maturity")).content.decode()
    assert "Mean level by domain and self-assessment" in english
    assert english.count("<svg") == 7
    assert "Nurturing: trusted adults and relationships" in english
    with translation.override("cy"):
        url = reverse("selfassess:maturity")
        detail = reverse("selfassess:index")
    welsh = client.get(url).content.decode()
    assert "Meithrin: oedolion yr ymddiriedir ynddynt a pherthnasoedd" in welsh
    assert "Lefel gymedrig fesul maes a hunanasesiad" in welsh
    assert "Hunanasesiad NYTH – dehongliad Nyth" in client.get(detail).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_page_queries_do_not_grow_with_rounds_or_actions(client_for, manager, alice, south):
    client = client_for(manager)
    completed_round(south, manager, datetime.date(2025, 3, 1), 1)
    completed_round(south, manager, datetime.date(2025, 9, 1), 2)
    pages = ("selfassess:index", "selfassess:maturity")
    few = {name: _queries(client, reverse(name)) for name in pages}
    for month in (1, 2, 3, 4):
        completed_round(south, manager, datetime.date(2026, month, 1), 3)
    assert {name: _queries(client, reverse(name)) for name in pages} == few

    draft = services.start_round(by=manager, service=south, assessed_on=datetime.date(2026, 6, 1))

    def add_action(n: int) -> None:
        draft.refresh_from_db()
        services.add_action(by=manager, round_=draft, expected_version=draft.version, values=services.ActionValues(
            text=f"Action {n}", owner=alice, due_on=DAY, status="not_started", domain=None))  # fmt: skip

    add_action(0)
    one = {name: _queries(client, reverse(name, args=[draft.pk])) for name in ("selfassess:detail", "selfassess:edit")}
    for n in range(1, 4):
        add_action(n)
    assert {
        name: _queries(client, reverse(name, args=[draft.pk])) for name in ("selfassess:detail", "selfassess:edit")
    } == one


def test_a_stale_action_save_is_refused_with_the_typing_kept(client_for, manager, alice, draft):
    opened_at = draft.version
    rate_all(draft, manager, 2)  # someone else saved the round first
    data = {"version": opened_at, "text": "Recruit Welsh speakers", "owner": alice.pk, "due_on_day": "1",
            "due_on_month": "12", "due_on_year": "2026", "status": "not_started"}  # fmt: skip
    response = client_for(manager).post(reverse("selfassess:action_create", args=[draft.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    summary = body[body.find("govuk-error-summary") : body.find("govuk-error-summary") + 1500]
    assert "Someone else changed this self-assessment" in body, summary
    assert "Recruit Welsh speakers" in body
    assert not draft.actions.exists()
