"""The public referrer is told their request arrived (issue 12 §C): an email with the reference
and the service's contact only – never the child's details – sent through the outbox after
commit, once, and only for a referral the form's limit let through."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from jobs.models import SentEmail
from referrals.models import Referral
from referrals.tests.test_referrals import public_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def contact(settings):
    settings.NYTH_SERVICE_CONTACT_PHONE = "029 2000 0000"
    settings.NYTH_SERVICE_CONTACT_EMAIL = "cymorth@nyth.example"
    cache.clear()  # the rate limit's moving window


def test_the_referrer_gets_the_reference_and_the_contact_and_nothing_about_the_child(
    client, la_cardiff, south, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public_referral"), public_post(la_cardiff, referrer_language="en"))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["eleri@example.invalid"]
    assert referral.reference in email.subject and referral.reference in email.body
    assert "029 2000 0000" in email.body and "cymorth@nyth.example" in email.body and "South Service" in email.body
    text = email.subject + email.body
    for detail in (referral.given_name, referral.family_name, "2011", "CF10", referral.needs[:20], "Eisiau", "Sioned"):
        assert detail not in text, detail
    assert SentEmail.objects.filter(event_key=f"referral-received:{referral.pk}").count() == 1


def test_the_email_is_in_the_referrers_language(client, la_cardiff, south, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public_referral"), public_post(la_cardiff, referrer_language="cy"))
    email = mail.outbox[0]
    assert "Diolch" in email.body and "Gwasanaeth y De" in email.body


def test_a_retried_submit_sends_no_second_email(client, la_cardiff, south, django_capture_on_commit_callbacks):
    data = public_post(la_cardiff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("public_referral"), data)
        client.post(reverse("public_referral"), data)  # a double click, a retry
    assert Referral.objects.count() == 1
    assert len(callbacks) == 1 and len(mail.outbox) == 1


def test_no_address_no_email(client, la_cardiff, south, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(
            reverse("public_referral"), public_post(la_cardiff, referrer_email="", referrer_phone="07700 900000")
        )
    assert Referral.objects.count() == 1
    assert callbacks == [] and mail.outbox == []


def test_nothing_is_sent_beyond_the_forms_limit(
    client, la_cardiff, south, settings, django_capture_on_commit_callbacks
):
    settings.NYTH_PUBLIC_REFERRALS_PER_HOUR = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("public_referral"), public_post(la_cardiff, needs="Concern one")).status_code == 302
        limited = client.post(
            reverse("public_referral"),
            public_post(la_cardiff, needs="Concern two", referrer_email="other@example.invalid"),
        )
    assert limited.status_code == 429
    assert [email.to for email in mail.outbox] == [["eleri@example.invalid"]]


def test_the_queued_task_carries_no_childs_details(client, la_cardiff, south, django_capture_on_commit_callbacks):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database_queue), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public_referral"), public_post(la_cardiff))
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "jobs.email.deliver_email"
    assert "Dafydd" not in str(queued.args_kwargs) and "Bevan" not in str(queued.args_kwargs)
    assert mail.outbox == []
