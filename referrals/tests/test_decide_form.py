"""The Decide form (issue 12 §C): GOV.UK conditional reveals on the outcome (all fields shown
without JavaScript, validated per outcome), no "(optional)" on what is required, and the letter's
language: the manager is told it, may write in Welsh, and a reason in the other language is marked."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from referrals.models import Decision, Status
from referrals.tests.factories import DirectoryServiceFactory, ReferralFactory

pytestmark = pytest.mark.django_db

OPTIONAL = "(optional)"  # visible to everyone, as the GOV.UK pattern has it (core/forms)


def _label(body: str, field_id: str) -> str:
    match = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', body, re.S)
    assert match, field_id
    return match.group(1)


def _conditional(body: str, value: str) -> str:
    """The conditional reveal the outcome radio with ``value`` controls."""
    radio = re.search(rf'<input[^>]*name="outcome"[^>]*value="{value}"[^>]*>', body)
    assert radio, value
    controls = re.search(r'data-nyth-reveals="([^"]+)"', radio.group(0))
    assert controls, f"the {value} radio reveals nothing"
    start = body.index(f'id="{controls.group(1)}"')
    return body[start : body.index("<!-- /conditional -->", start)]


def test_each_outcome_reveals_only_its_own_fields(client_for, manager, south):
    referral = ReferralFactory(service=south)
    body = client_for(manager).get(reverse("referrals:decide", args=[referral.pk])).content.decode()
    consultation = _conditional(body, "consultation")
    redirected = _conditional(body, "redirected")
    assert 'name="consultation_advice"' in consultation and 'name="directory_service"' not in consultation
    for name in ("directory_service", "handover_contact", "handover_contacted_on_day", "handover_notes"):
        assert f'name="{name}"' in redirected, name
    assert "data-nyth-reveals" not in re.search(r'<input[^>]*value="accepted"[^>]*>', body).group(0)
    # Without JavaScript every field is shown: nothing is hidden by the server.
    assert "govuk-radios__conditional--hidden" in body  # (hidden only once govuk-frontend runs)
    assert "hidden>" not in consultation and "hidden>" not in redirected


def test_required_fields_are_not_announced_as_optional(client_for, manager, south):
    referral = ReferralFactory(service=south)
    body = client_for(manager).get(reverse("referrals:decide", args=[referral.pk])).content.decode()
    for field_id in ("id_reason", "id_consultation_advice", "id_directory_service", "id_handover_contact"):
        assert OPTIONAL not in _label(body, field_id), field_id
    assert OPTIONAL in _label(body, "id_handover_notes")


def test_fields_of_another_outcome_are_ignored(client_for, manager, south):
    """Without JavaScript a manager may have typed in a field of another outcome first."""
    referral = ReferralFactory(service=south)
    response = client_for(manager).post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "accepted",
            "reason": "Complex trauma",
            "reason_language": "en",
            "handover_contacted_on_day": "31",
            "handover_contacted_on_month": "2",
            "handover_contacted_on_year": "20",
            "consultation_advice": "<b>not this</b>",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (
        decision.outcome == "accepted" and decision.consultation_advice == "" and decision.handover_contacted_at is None
    )


def test_the_chosen_outcome_is_validated_with_its_own_messages(client_for, manager, south):
    referral = ReferralFactory(service=south)
    body = (
        client_for(manager)
        .post(
            reverse("referrals:decide", args=[referral.pk]),
            {"outcome": "redirected", "reason": "Elsewhere", "reason_language": "en"},
        )
        .content.decode()
    )
    for message in (
        "Choose the service the referral is handed on to",
        "Say who you contacted at that service",
        "Say when you contacted them",
    ):
        assert body.count(message) == 2, message  # the summary and the field
    assert "Record the advice given to the referrer" not in body
    # The chosen outcome's reveal stays open.
    assert re.search(r'<input[^>]*value="redirected"[^>]*checked', body)
    assert not Decision.objects.exists()


def test_the_language_of_the_reason_must_be_chosen(client_for, manager, south):
    referral = ReferralFactory(service=south)
    body = (
        client_for(manager)
        .post(reverse("referrals:decide", args=[referral.pk]), {"outcome": "accepted", "reason": "Complex trauma"})
        .content.decode()
    )
    assert body.count("Choose the language you wrote in") == 2
    assert not Decision.objects.exists()


def test_the_decide_page_says_the_referrer_is_written_to_in_welsh(client_for, manager, south):
    welsh = ReferralFactory(service=south, referrer_language="cy")
    english = ReferralFactory(service=south, referrer_language="en")
    client = client_for(manager)
    welsh_page = client.get(reverse("referrals:decide", args=[welsh.pk])).content.decode()
    assert "The referrer will be written to in Welsh, their language." in welsh_page
    assert "You can write the reason in Welsh." in welsh_page
    english_page = client.get(reverse("referrals:decide", args=[english.pk])).content.decode()
    assert "The referrer will be written to in English, their language." in english_page
    cy_page = client.get(f"/cy/referrals/{welsh.pk}/decide/").content.decode()
    assert "Ysgrifennir at yr atgyfeiriwr yn Gymraeg, ei iaith ei hun." in cy_page


def test_a_reason_in_english_is_marked_inside_a_welsh_letter(
    client_for, manager, south, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(service=south, referrer_language="cy", referrer_email="athro@example.invalid")
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referrals:decide", args=[referral.pk]),
            {"outcome": "accepted", "reason": "Complex trauma & high risk", "reason_language": "en"},
        )
    decision = Decision.objects.get()
    assert decision.reason_language == "en" and decision.message_language == "cy"
    assert "Ysgrifennwyd y rheswm hwn yn Saesneg. Complex trauma & high risk" in decision.referrer_message
    assert mail.outbox[0].body == decision.referrer_message
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert 'Ysgrifennwyd y rheswm hwn yn Saesneg. <span lang="en">Complex trauma &amp; high risk</span>' in page
    # The Welsh letter on an English page is marked Welsh as a whole.
    assert '<dd class="govuk-summary-list__value" lang="cy">Diolch' in page
    # On a Welsh page the reason on its own, in the decision card, is marked English.
    welsh_page = client.get(f"/cy/referrals/{referral.pk}/").content.decode()
    assert '<dd class="govuk-summary-list__value" lang="en">Complex trauma &amp; high risk</dd>' in welsh_page


def test_a_reason_in_welsh_is_not_marked_in_a_welsh_letter(client_for, manager, south):
    referral = ReferralFactory(service=south, referrer_language="cy")
    client_for(manager).post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "consultation",
            "reason": "Trawma cymhleth",
            "reason_language": "cy",
            "consultation_advice": "Cornel dawel",
        },
    )
    decision = Decision.objects.get()
    assert "Ysgrifennwyd" not in decision.referrer_message
    assert "Cornel dawel" in decision.referrer_message and "Trawma cymhleth" in decision.referrer_message
    referral.refresh_from_db()
    assert referral.status == Status.CONSULTATION


def test_advice_in_welsh_is_marked_inside_an_english_letter(client_for, manager, south):
    referral = ReferralFactory(service=south, referrer_language="en")
    client_for(manager).post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "consultation",
            "reason": "Trawma cymhleth",
            "reason_language": "cy",
            "consultation_advice": "Cornel dawel",
        },
    )
    message = Decision.objects.get().referrer_message
    assert "This advice was written in Welsh. Cornel dawel" in message
    assert "This reason was written in Welsh. Trawma cymhleth" in message


def test_a_complete_handover_is_recorded(client_for, manager, south):
    entry = DirectoryServiceFactory()
    referral = ReferralFactory(service=south)
    response = client_for(manager).post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "redirected",
            "reason": "Better placed elsewhere",
            "reason_language": "en",
            "directory_service": str(entry.pk),
            "handover_contact": "Rhian",
            "handover_contacted_on_day": "20",
            "handover_contacted_on_month": "11",
            "handover_contacted_on_year": "2026",
        },
    )
    assert response.status_code == 302
    assert Decision.objects.get().directory_service == entry
