"""Feedback on the support (outcomes/feedback.py, ADR 018): anonymous answers that link to
nobody, the public page signed out and in Welsh, named feedback through the one scope and
audited, and the manager's summary with safe small numbers in a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from core.models import RateLimitHit
from outcomes import feedback
from outcomes.models import AnonymousFeedback, NamedFeedback

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
QUARTER = feedback.quarter_of(timezone.localdate())


def public_url(service, who="young-person"):
    return reverse("public_feedback_form", args=[service.code, who])


def answers(**overrides):
    data = {"listened": "yes", "could_choose": "sort_of", "knew_contact": "no", "good_time": "", "would_recommend": ""}
    data.update({"anything_else": "", **overrides})
    return data


def send_public(client, service, who="young-person", **overrides):
    page = client.get(public_url(service, who))
    key = re.search(r'name="key" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(public_url(service, who), {**answers(**overrides), "key": key})


def anonymous(service, n, quarter=QUARTER, **overrides):
    AnonymousFeedback.objects.bulk_create(
        AnonymousFeedback(service=service, quarter=quarter, respondent="young_person", **answers(**overrides))
        for _ in range(n)
    )


# --- Anonymous answers ----------------------------------------------------------------------


def test_quarters_are_calendar_quarters():
    assert feedback.quarter_of(datetime.date(2026, 10, 1)) == "2026-Q4"
    assert feedback.quarter_of(datetime.date(2026, 3, 31)) == "2026-Q1"
    assert feedback.quarter_of(datetime.date(2026, 7, 15)) == "2026-Q3"


def test_an_anonymous_answer_stores_nothing_that_links_it(south, settings):
    events_before = AuditEvent.objects.count()
    client = Client(REMOTE_ADDR="203.0.113.7")
    response = send_public(client, south, anything_else="The evening sessions helped")
    assert response.status_code == 302 and response["Location"].endswith(f"/feedback/{south.code}/sent/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no session is made for it
    assert client.get(response["Location"]).status_code == 200
    (row,) = AnonymousFeedback.objects.all()
    # Exactly these fields, and nothing else: no user, child, time, address or session.
    assert {f.name for f in AnonymousFeedback._meta.get_fields()} == {
        "id", "service", "quarter", "respondent", "listened", "could_choose", "knew_contact", "good_time",
        "would_recommend", "anything_else", "text_language",
    }  # fmt: skip
    assert row.text_language == "en"  # the free text's language (ADR 015), from the page
    assert not any(f.get_internal_type() in ("DateTimeField", "DateField", "GenericIPAddressField")
                   for f in AnonymousFeedback._meta.concrete_fields)  # fmt: skip
    assert not hasattr(row, "created_at")
    assert row.id.version == 4 and row.service == south and row.quarter == QUARTER
    assert (row.listened, row.could_choose, row.knew_contact, row.good_time) == ("yes", "sort_of", "no", "")
    # No audit event at all (a time beside a quarter of one answer would date it), so none
    # mentions the row's id.
    assert AuditEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(object_id=str(row.id)).exists()
    assert not [e for e in AuditEvent.objects.all() if str(row.id) in str(e.detail)]
    # The limiter holds a keyed hash, never the address, and not the service either.
    keys = list(RateLimitHit.objects.values_list("key_id", flat=True))
    assert keys and all("203.0.113.7" not in k and south.code not in k for k in keys)


def test_the_same_form_sent_twice_is_stored_once(south):
    client = Client()
    page = client.get(public_url(south))
    key = re.search(r'name="key" value="([^"]+)"', page.content.decode()).group(1)
    for _ in range(2):
        assert client.post(public_url(south), {**answers(), "key": key}).status_code == 302
    assert AnonymousFeedback.objects.count() == 1
    # Nothing written: not even the page's language is kept.
    assert AnonymousFeedback.objects.get().text_language == ""


def test_the_public_page_works_signed_out_with_the_help_notice_before_the_free_text(south):
    client = Client()
    choose = client.get(reverse("public_feedback", args=[south.code]))
    assert choose.status_code == 200
    assert public_url(south, "carer") in choose.content.decode()
    page = client.get(public_url(south)).content.decode()
    for statement in ("I felt listened to", "I could make choices about my support", "I knew who to contact",
                      "The support came at a good time for me", "I would tell a friend about this support"):  # fmt: skip
        assert statement in page
    notice = page.index("Nobody can reply to what you write here")
    assert notice < page.index("080880 23456") < page.index('name="anything_else"')
    assert 'href="tel:08001111"' in page and "84001" in page and 'href="tel:999"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    carer = client.get(public_url(south, "carer")).content.decode()
    assert "The support came at a good time for the young person" in carer


def test_the_public_page_in_welsh(south):
    with translation.override("cy"):
        url = public_url(south)
    assert url.startswith("/cy/")
    page = Client().get(url).content.decode()
    assert 'lang="cy"' in page
    assert "Gwasanaeth y De" in page
    assert "I felt listened to" not in page and "Nobody can reply" not in page
    assert page.index("080880 23456") < page.index('name="anything_else"')
    assert "Roeddwn i&#x27;n teimlo bod rhywun yn gwrando arna i" in page
    assert "Does neb yn gallu ateb" in page
    client = Client()
    key = re.search(r'name="key" value="([^"]+)"', client.get(url).content.decode()).group(1)
    sent = client.post(url, {**answers(anything_else="Diolch yn fawr"), "key": key})
    assert sent.status_code == 302 and sent["Location"].startswith("/cy/")
    assert AnonymousFeedback.objects.get().text_language == "cy"


def test_an_unknown_service_or_respondent_is_404(south):
    assert Client().get(reverse("public_feedback", args=["NO-SUCH"])).status_code == 404
    assert Client().get(public_url(south, "stranger")).status_code == 404


def test_markup_is_refused_with_every_answer_kept(south):
    client = Client()
    response = send_public(client, south, anything_else="<script>alert(1)</script> thanks")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove the HTML or script from this answer" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; thanks" in page
    assert re.search(r'value="yes" checked', page) and re.search(r'value="sort_of" checked', page)
    assert AnonymousFeedback.objects.count() == 0


def test_an_empty_form_is_refused(south):
    client = Client()
    page = client.get(public_url(south)).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    response = client.post(public_url(south), {"key": key})
    assert response.status_code == 200 and "Answer at least one question" in response.content.decode()
    assert AnonymousFeedback.objects.count() == 0


def test_the_rate_limit_per_address(south, settings):
    settings.NYTH_FEEDBACK_PER_HOUR = 2
    here, there = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    assert [send_public(here, south).status_code for _ in range(3)] == [302, 302, 429]
    assert "Too many answers" in send_public(here, south).content.decode()
    assert send_public(there, south).status_code == 302
    assert AnonymousFeedback.objects.count() == 3


# --- Named feedback -------------------------------------------------------------------------


def named_url(child, who="carer"):
    return reverse("outcomes:child_feedback_form", args=[child.pk, who])


def named_post(day=None, **overrides):
    day = day or TODAY()
    return {**answers(**overrides), "given_on_day": day.day, "given_on_month": day.month, "given_on_year": day.year}


def test_named_feedback_is_recorded_audited_and_shown_on_the_outcomes_page(client_for, alice, child):
    client = client_for(alice)
    assert client.get(reverse("outcomes:child_feedback", args=[child.pk])).status_code == 200
    page = client.get(named_url(child)).content.decode()
    assert "The young person and I could make choices about the support" in page
    assert "Nobody can reply" not in page  # the named form is not anonymous
    response = client.post(named_url(child), named_post(anything_else="Sessions after school worked"))
    assert response.status_code == 302
    (item,) = NamedFeedback.objects.all()
    assert (item.child, item.respondent, item.recorded_by, item.service) == (child, "carer", alice, child.service)
    assert item.quarter == QUARTER and item.text_language == "en"
    event = AuditEvent.objects.get(object_type="outcomes.namedfeedback", object_id=str(item.pk))
    assert event.action == "create" and event.child_id == child.pk and event.actor == alice
    outcomes = client.get(reverse("outcomes:child_outcomes", args=[child.pk])).content.decode()
    assert "Sessions after school worked" in outcomes
    assert "The young person and I could make choices about the support" in outcomes


def test_named_feedback_is_out_of_scope_for_a_stranger(client_for, charlie, child):
    client = client_for(charlie)
    assert client.get(reverse("outcomes:child_feedback", args=[child.pk])).status_code == 404
    assert client.post(named_url(child), named_post()).status_code == 404
    assert NamedFeedback.objects.count() == 0


def test_named_feedback_refuses_markup_and_a_future_date_keeping_the_answers(client_for, alice, child):
    client = client_for(alice)
    tomorrow = TODAY() + datetime.timedelta(days=1)
    response = client.post(named_url(child), named_post(tomorrow, anything_else="<b>hi</b>"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The date must be today or in the past" in page and "Remove the HTML" in page
    assert re.search(r'value="sort_of" checked', page) and "&lt;b&gt;hi&lt;/b&gt;" in page
    assert NamedFeedback.objects.count() == 0


# --- The manager's summary ------------------------------------------------------------------


def summary(client):
    response = client.get(reverse("outcomes:feedback_summary"))
    assert response.status_code == 200
    return response.content.decode()


def test_only_service_managers_see_the_summary(client_for, alice):
    assert client_for(alice).get(reverse("outcomes:feedback_summary")).status_code == 403


def test_three_answers_are_suppressed_and_their_free_text_hidden(client_for, manager, south):
    anonymous(south, 3, anything_else="Only three of us said this")
    page = summary(client_for(manager))
    assert QUARTER in page
    assert "Number of answers: <abbr" in page  # 3 → [c]
    assert "[c]" in page and ">3<" not in page
    assert "Only three of us said this" not in page
    assert "Written answers are shown only for a quarter with at least 5 anonymous answers" in page


def test_at_the_threshold_counts_and_free_text_are_shown_with_secondary_suppression(client_for, manager, south):
    anonymous(south, 6, anything_else="Good support")
    anonymous(south, 2, listened="no", anything_else="")
    page = summary(client_for(manager))
    assert "Number of answers: 8" in page
    assert page.count("Good support") == 6
    listened = re.search(r"I felt listened to</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'numeric">(.*?)</td>', listened, re.S)
    # yes 6, sort of 0, no 2 ([c]), not answered 0: the only other non-zero cell (6) goes too.
    assert [("[c]" if "[c]" in c else c) for c in cells] == ["[c]", "0", "[c]", "0"]


def test_the_summary_counts_named_and_anonymous_together_and_only_its_own_service(
    client_for, manager, alice, child, south, north
):
    anonymous(south, 4)
    anonymous(north, 40, anything_else="North only")
    feedback.record_named_feedback(
        by=alice, child=child, respondent="young_person", given_on=TODAY(), answers=answers()
    )
    page = summary(client_for(manager))
    assert "Number of answers: 5" in page and "North only" not in page
    # 4 anonymous answers: below the threshold for free text, though the quarter has 5 answers.
    assert "Written answers are shown only" in page


def test_the_summary_is_audited_without_naming_an_answer(client_for, manager, south):
    anonymous(south, 5)
    summary(client_for(manager))
    event = AuditEvent.objects.filter(detail__page="feedback_summary").get()
    assert event.object_id == "" and event.child_id is None
    ids = {str(pk) for pk in AnonymousFeedback.objects.values_list("pk", flat=True)}
    assert not ids & {event.object_id, *map(str, event.detail.values())}


def test_the_summary_is_in_welsh(client_for, manager, south):
    anonymous(south, 3)
    with translation.override("cy"):
        url = reverse("outcomes:feedback_summary")
    page = client_for(manager).get(url).content.decode()
    assert "[c]" in page and "fewer than 5" not in page and "Number of answers" not in page


def test_the_home_page_links_the_manager_to_the_summary(client_for, manager):
    page = client_for(manager).get(reverse("core:home")).content.decode()
    assert reverse("outcomes:feedback_summary") in page


def test_the_summary_is_constant_in_queries_for_2_and_50_answers(client_for, manager, alice, child, south):
    client = client_for(manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            summary(client)
        return len(captured.captured_queries)

    anonymous(south, 2, anything_else="x")
    few = queries()
    anonymous(south, 48, anything_else="y")
    anonymous(south, 7, quarter="2026-Q1", anything_else="z")
    for _ in range(3):
        feedback.record_named_feedback(by=alice, child=child, respondent="carer", given_on=TODAY(), answers=answers())
    assert queries() == few


# --- The quarter's table, as a property ---------------------------------------------------


@st.composite
def quarters(draw):
    total = draw(st.integers(min_value=0, max_value=25))
    counts = {}
    for statement in feedback.STATEMENTS:
        yes = draw(st.integers(min_value=0, max_value=total))
        sort_of = draw(st.integers(min_value=0, max_value=total - yes))
        no = draw(st.integers(min_value=0, max_value=total - yes - sort_of))
        counts[statement] = [yes, sort_of, no]
    return total, counts


@given(quarter=quarters(), limit=st.integers(min_value=2, max_value=6))
def test_no_count_of_a_quarter_can_be_worked_out(quarter, limit):
    """A reader knows each [c] is at least 1, the shown total (if shown) and every shown cell:
    no [c] may have only one possible value, and a hidden total may not be given away by a row
    shown in full."""
    total, counts = quarter
    table = feedback.summarise_quarter("2026-Q4", counts, total=total, limit=limit)
    if 0 < total < limit:
        assert table.answers.suppressed
    elif table.answers.suppressed:
        assert table.answers.reason == "secondary" and limit < 5  # impossible with four cells and 5
    for row, statement in zip(table.rows, feedback.STATEMENTS, strict=True):
        true = [*counts[statement], total - sum(counts[statement])]
        hidden = [n for n, cell in zip(true, row.cells, strict=True) if cell.suppressed]
        for n, cell in zip(true, row.cells, strict=True):
            assert cell.suppressed or cell.value == n
            assert not cell.suppressed or n > 0  # 0 is always shown
        if table.answers.suppressed:
            # Without the total a row shown in full would give it: every row keeps a [c] unless
            # the quarter has no answers at all.
            assert hidden or total == 0
        elif hidden:
            assert len(hidden) > 1 and sum(hidden) > len(hidden)
