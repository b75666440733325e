"""The match page and the lists tell two referrals for the same name apart (issue 12 §C)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Referral
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_confirm_with_nothing_chosen_is_an_error_message_not_a_404(client_for, manager, south, child, la_cardiff):
    # A referral that matches the existing record: the "new record" radio is not pre-chosen.
    referral = ReferralFactory(
        service=south, given_name=child.given_name, family_name=child.family_name, date_of_birth=child.date_of_birth
    )
    assert services.candidates_for(referral, manager)
    client = client_for(manager)
    response = client.post(
        reverse("referrals:link", args=[referral.pk]), {"responsible_local_authority": str(la_cardiff.pk)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "<title>Error:" in body
    message = "Choose the record that is this child, or open a new record"
    assert body.count(message) == 2  # in the error summary and at the radios
    assert 'href="#child-' in body and "govuk-form-group--error" in body
    # The form keeps what was chosen.
    assert f'<option value="{la_cardiff.pk}" selected>' in body
    referral.refresh_from_db()
    assert referral.child is None


def test_a_new_record_without_a_local_authority_is_a_field_error_that_keeps_the_choice(client_for, manager, south):
    referral = ReferralFactory(service=south, responsible_local_authority=None)
    response = client_for(manager).post(reverse("referrals:link", args=[referral.pk]), {"child": "new"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("Choose the responsible local authority to open a new record.") == 2
    assert 'id="child-new" name="child" type="radio" value="new" checked' in body


def test_a_record_outside_the_scope_is_still_a_404(client_for, manager, south, north):
    from people.tests.factories import ChildFactory

    referral = ReferralFactory(service=south)
    elsewhere = ChildFactory(service=north)
    assert (
        client_for(manager)
        .post(reverse("referrals:link", args=[referral.pk]), {"child": str(elsewhere.pk)})
        .status_code
        == 404
    )


def test_other_open_referrals_for_the_same_child_are_shown_with_reference_and_date_of_birth(
    client_for, manager, south, charlie
):
    born = datetime.date(2013, 5, 9)
    first = ReferralFactory(service=south, given_name="Siôn", family_name="Llywelyn", date_of_birth=born)
    second = ReferralFactory(service=south, given_name="Sion", family_name="Llywelyn", date_of_birth=born)
    other = ReferralFactory(
        service=south, given_name="Megan", family_name="Rowlands", date_of_birth=datetime.date(2009, 1, 2)
    )
    found = services.similar_open_referrals(second, manager)
    assert [match.referral for match in found] == [first]
    assert "date_of_birth" in [reason.code for reason in found[0].reasons]
    body = client_for(manager).get(reverse("referrals:detail", args=[second.pk])).content.decode()
    assert "Other open referrals that may be the same child" in body
    assert first.reference in body and "9 May 2013" in body
    assert other.reference not in body
    # Nobody is offered a referral outside their scope.
    assert services.similar_open_referrals(second, charlie) == []


def test_referrals_decided_elsewhere_or_linked_are_not_open_matches(manager, south):
    born = datetime.date(2013, 5, 9)
    ReferralFactory(service=south, given_name="Siôn", family_name="Llywelyn", date_of_birth=born, status="redirected")
    query = ReferralFactory(service=south, given_name="Siôn", family_name="Llywelyn", date_of_birth=born)
    assert services.similar_open_referrals(query, manager) == []


def _accept(referral, manager):
    services.decide(by=manager, referral=referral, outcome="accepted", reason="Complex trauma")


def test_the_lists_show_date_of_birth_and_reference(client_for, manager, south):
    one = ReferralFactory(
        service=south, given_name="Siôn", family_name="Llywelyn", date_of_birth=datetime.date(2013, 5, 9)
    )
    two = ReferralFactory(
        service=south, given_name="Siôn", family_name="Llywelyn", date_of_birth=datetime.date(2014, 2, 1)
    )
    _accept(one, manager)
    _accept(two, manager)
    client = client_for(manager)
    for url in (reverse("referrals:waiting_list"), reverse("referrals:list")):
        body = client.get(url).content.decode()
        assert body.count("Siôn Llywelyn") == 2, url
        for referral, born in ((one, "9 May 2013"), (two, "1 February 2014")):
            assert referral.reference in body and born in body, url
    assert Referral.objects.count() == 2
