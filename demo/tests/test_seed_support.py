"""The demo support work: every context gets data, the pages a new user opens first have
something to show, and a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from conftest import sign_in
from contacts.models import Contact
from episodes.models import Episode, Transition
from events.models import RecordingPeriod, SignificantEvent
from people.models import NestTraining, RelatedPerson
from plans.models import OptionOffer, Plan, SupportOption
from safety.models import SafetyPlan
from workforce.models import StaffTraining

pytestmark = pytest.mark.django_db
MODELS = (
    SupportOption,
    OptionOffer,
    Plan,
    SafetyPlan,
    Episode,
    Transition,
    StaffTraining,
    RelatedPerson,
    NestTraining,
    Contact,
    SignificantEvent,
    RecordingPeriod,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_needs_the_demo_people_first():
    with pytest.raises(CommandError):
        call_command("seed_support", stdout=io.StringIO())


def test_fills_every_context_once_and_the_pages_show_it(client):
    call_command("seed_demo", children=30, seed=5, no_progress=True, quiet_logins=True)
    call_command("seed_support", stdout=io.StringIO())
    first = counts()
    assert all(first.values()), first
    call_command("seed_support", stdout=io.StringIO())
    assert counts() == first

    practitioner = User.objects.get(username="practitioner")
    sign_in(client, practitioner)
    child = Contact.objects.filter(practitioner=practitioner).first().child
    # The caseload names them as they like to be called (a preferred name may differ from the given one).
    assert escape(child.display_name) in client.get(reverse("contacts:caseload")).content.decode()
    diary = client.get(reverse("contacts:diary"))
    assert diary.status_code == 200
    assert escape(child.display_name) in client.get(reverse("episodes:timeline", args=[child.pk])).content.decode()
