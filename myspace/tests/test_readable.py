"""Readable: every marked English prose block (``data-readable``) of at least 30 words on the
young person's pages is at Flesch–Kincaid grade 6 or below (myspace/readable.py)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from contacts.models import Contact
from myspace import readable
from myspace.models import SpaceAccount
from plans.models import Goal, Plan, PlanAction

HARD = (
    "Young people can sign in to a space of their own: it never shows staff pages or other young "
    "people. They get in only with an invitation link from a practitioner in their care team, "
    "handed over in person, notwithstanding any administrative considerations."
)


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch):
    """textstat must never fetch anything (nltk's cmudict) at run time."""
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("textstat tried to download data")

    monkeypatch.setattr(nltk, "download", refuse)


def test_marked_blocks_are_found_with_their_nested_text_and_unmarked_ones_ignored():
    html = '<p data-readable>One <a href="#">two</a>  three.</p><p>Not this.</p><div data-readable><p>Four</p></div>'
    assert readable.marked_blocks(html) == ["One two three.", "Four"]


def test_the_check_can_fail():
    assert readable.grade(HARD) > readable.MAX_GRADE
    assert readable.scored_blocks(f"<p data-readable>{HARD}</p>")[0].grade > readable.MAX_GRADE
    assert readable.scored_blocks("<p data-readable>Too short to score.</p>") == []


@pytest.mark.django_db
def test_every_space_page_is_readable(client_for, child, alice):
    user = UserFactory(username="reader", organisation=None, role=Role.YOUNG_PERSON)
    SpaceAccount.objects.create(user=user, child=child, created_by=alice)
    client = client_for(user)
    pages = {"plan (none yet)": reverse("myspace:plan"), "home": reverse("myspace:home")}
    html = {name: client.get(url).content.decode() for name, url in pages.items()}
    plan = Plan.objects.create(child=child, language="en", next_review_on=datetime.date(2027, 1, 15), updated_by=alice)
    Goal.objects.create(plan=plan, text="Sleep better")
    PlanAction.objects.create(plan=plan, who="carer", what="Help with the sleep diary")
    session = Contact.objects.create(
        child=child, practitioner=alice, recorded_by=alice, kind="individual", location="home", attendance="booked",
        starts_at=timezone.now() + datetime.timedelta(days=2), idempotency_key="readable",
    )  # fmt: skip
    pages = {
        "plan": reverse("myspace:plan"),
        "goals": reverse("myspace:goals"),
        "nest": reverse("myspace:nest"),
        "sessions": reverse("myspace:sessions"),
        "session change": reverse("myspace:session_change", args=[session.pk]),
        "help now": reverse("myspace:help"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    scored = [(block, name) for name, page in html.items() for block in readable.scored_blocks(page)]
    # The check is not empty: every page with prose has a block long enough to score.
    assert {name for _block, name in scored} >= {
        "plan (none yet)", "plan", "goals", "nest", "sessions", "session change", "help now"
    }  # fmt: skip
    too_hard = sorted((b for b in scored if b[0].grade > readable.MAX_GRADE), key=lambda b: -b[0].grade)
    assert not too_hard, "Above grade 6, worst first:\n" + "\n".join(
        f"{block.grade:.1f} ({name}): {block.text}" for block, name in too_hard
    )
