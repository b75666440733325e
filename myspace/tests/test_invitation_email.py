"""Emailing the invitation: an optional address on the invite form, validated, kept only until
the email is sent; a neutral sender and subject, both languages (the chosen one first), the link
only and its expiry; sent once however often the task runs; opening the link uses nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent, Route
from myspace import invitations
from myspace.models import Invitation
from myspace.tests.test_carers import carer  # noqa: F401 - fixture
from myspace.tests.test_invitations import GOOD_PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "sion.p@example.invalid"


@pytest.fixture
def teen(child):
    child.date_of_birth = timezone.localdate() - datetime.timedelta(days=15 * 366)
    child.save()
    return child


def _invite(client, child, captured, **data):
    with captured(execute=True):
        return client.post(reverse("space_access:invite", args=[child.pk]), {f"invite-{k}": v for k, v in data.items()})


def _link(body: str) -> str:
    return re.search(r"(http\S+/my/invitation/\S+/)", body).group(1)


def test_the_link_is_emailed_once_from_a_neutral_sender_in_both_languages(
    client_for, alice, teen, settings, django_capture_on_commit_callbacks
):
    settings.NYTH_SPACE_NOTIFY_FROM = "hello@nyth.example"
    response = _invite(client_for(alice), teen, django_capture_on_commit_callbacks, email=ADDRESS, email_language="cy")
    assert response.status_code == 200
    assert "also being emailed" in response.content.decode()
    [email] = mail.outbox
    assert email.to == [ADDRESS] and email.from_email == "hello@nyth.example"
    assert email.subject == "Eich gwahoddiad i Nyth / Your Nyth invitation"  # Welsh chosen: first
    # Nothing about care, therapy or the young person; no QR code, no attachment.
    for word in ("Siôn", "Prydderch", "care", "therapy", "gofal", "South"):
        assert word not in email.subject + email.body + email.from_email
    assert not email.attachments and "<img" not in email.body
    invitation = Invitation.objects.get()
    until = timezone.localtime(invitation.expires_at)
    assert f"{until.day} {until:%B %Y}" in email.body  # the expiry date (English part)
    welsh, english = email.body.split("----------")
    assert "/cy/my/invitation/" in welsh and "/en/my/invitation/" in english
    assert welsh.index("Dyma") < len(welsh)  # the Welsh text comes first
    # The page's link is the emailed one: one invitation, one token.
    page_link = re.search(r"<code>(http[^<]+)</code>", response.content.decode()).group(1)
    assert _link(english).split("/invitation/")[1] == page_link.split("/invitation/")[1]
    # Sent: the address and the seed are gone; the record shows when, never the address.
    assert (invitation.email_to, invitation.email_seed, invitation.email_language) == ("", "", "cy")
    assert invitation.emailed_at is not None
    page = client_for(alice).get(reverse("space_access:child", args=[teen.pk])).content.decode()
    assert "Emailed on" in page and ADDRESS not in page
    for event in AuditEvent.objects.filter(child_id=teen.pk):
        assert ADDRESS not in str(event.detail)
    sent = AuditEvent.objects.get(action=Action.UPDATE, child_id=teen.pk)
    assert (sent.actor_id, sent.route) == (None, Route.SYSTEM)
    # A retry (the task run again) sends nothing more.
    assert invitations.deliver_invitation_email(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_the_emailed_link_only_shows_the_page_until_the_post(
    client_for, alice, teen, django_capture_on_commit_callbacks
):
    _invite(client_for(alice), teen, django_capture_on_commit_callbacks, email=ADDRESS, email_language="en")
    path = _link(mail.outbox[0].body).split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")
    for _ in range(3):  # mail scanners and link previews open it first
        assert Client().get(path).status_code == 200
    assert Invitation.objects.get().used_at is None
    data = {"username": "sion-p", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "language": "en"}
    assert Client().post(path, data).status_code == 302
    assert Invitation.objects.get().used_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "email_language": "en"}, "Enter an email address in the correct format"),
        ({"email": ADDRESS}, "Choose the language of the email"),
    ],
)
def test_a_bad_address_is_explained_kept_and_nothing_is_made(
    client_for, alice, teen, data, message, django_capture_on_commit_callbacks
):
    response = _invite(client_for(alice), teen, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and data["email"] in body  # beside the field, what was typed kept
    assert not Invitation.objects.exists() and not mail.outbox


def test_without_an_address_nothing_is_emailed(client_for, alice, teen, django_capture_on_commit_callbacks):
    response = _invite(client_for(alice), teen, django_capture_on_commit_callbacks, email="")
    assert response.status_code == 200 and not mail.outbox
    assert Invitation.objects.get().email_language == ""


def test_a_link_replaced_before_the_email_goes_is_not_sent_and_its_address_forgotten(alice, teen):
    issued = invitations.invite(by=alice, child=teen, email=ADDRESS, email_language="en")  # task not yet run
    invitations.invite(by=alice, child=teen)  # a new link voids it
    assert invitations.deliver_invitation_email(issued.invitation.pk) is False
    old = Invitation.objects.get(pk=issued.invitation.pk)
    assert (old.email_to, old.email_seed, old.emailed_at) == ("", "", None) and not mail.outbox


def test_an_expired_unsent_address_is_forgotten_by_the_sweep(alice, teen):
    issued = invitations.invite(by=alice, child=teen, email=ADDRESS, email_language="en")
    Invitation.objects.filter(pk=issued.invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert invitations.forget_unsent_addresses() == 1
    assert Invitation.objects.get().email_to == ""


def test_a_carer_invitation_can_be_emailed(client_for, alice, teen, carer, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            reverse("space_access:carer_invite", args=[teen.pk, carer.pk]),
            {f"carer-{carer.pk}-email": "carer@example.invalid", f"carer-{carer.pk}-email_language": "en"},
        )
    assert response.status_code == 200
    [email] = mail.outbox
    assert email.to == ["carer@example.invalid"] and email.subject.startswith("Your Nyth invitation")
    assert carer.name not in email.body
