"""The crisis and safety plan: written by the care team, versioned with stale saves refused,
read at night by the on-call worker through break-glass (audited, read-only), with the
out-of-hours contacts recorded against it and reported to the manager the next day."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import record
from contacts.models import Contact
from core.errors import StaleEditError
from people.models import BreakGlassAccess, CareTeamMembership
from people.tests.factories import ChildFactory, RelatedPersonFactory
from safety import demo, services
from safety.models import SafetyPlan

pytestmark = pytest.mark.django_db


def plan_post(version: int, **overrides) -> dict[str, str]:
    data = {
        "in_their_words": "If I shut my door, knock and tell me you're there.",
        "warning_signs": "Goes quiet, stops eating, stays in their room.",
        "what_helps": "Sitting nearby without questions; music; a walk with Sioned.",
        "what_to_avoid": "Raised voices; searching the room.",
        "who_to_call": "Sioned (foster carer) 0117 496 0123",
        "who_to_call_out_of_hours": "Nyth on-call 029 2018 0999",
        "made_with": "Siôn, Sioned and Alice",
        "version": str(version),
    }
    data.update(overrides)
    return data


def contact_post(**overrides) -> dict[str, str]:
    when = timezone.localtime() - datetime.timedelta(hours=2)
    data = {
        "date_day": str(when.day),
        "date_month": str(when.month),
        "date_year": str(when.year),
        "time": "02:10",
        "kind": "out_of_hours",
        "attendance": "attended",
        "consultation_with": "",
        "duration_minutes": "20",
        "language": "en",
        "location": "phone",
        "summary": "Carer phoned; plan followed.",
    }
    data.update(overrides)
    return data


def start_break_glass(user, child, hours: int = 4, *, whole_record: bool = False) -> BreakGlassAccess:
    """Emergency access on its first tier (safety plan and contacts); ``whole_record`` adds the
    second grant (ADR 014)."""
    return BreakGlassAccess.objects.create(
        user=user,
        child=child,
        reason="Carer phoned at 2am: young person missing",
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
        whole_record_at=timezone.now() if whole_record else None,
        whole_record_reason="Police ask about last month's placement" if whole_record else "",
    )


def test_the_care_team_writes_the_plan_and_it_is_versioned(client_for, alice, child):
    client = client_for(alice)
    empty = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert "No safety plan has been written yet." in empty
    assert client.get(reverse("safety:edit", args=[child.pk])).status_code == 200
    assert client.post(reverse("safety:edit", args=[child.pk]), plan_post(0)).status_code == 302
    plan = SafetyPlan.objects.get(child=child)
    assert (plan.version, plan.updated_by) == (1, alice)
    response = client.post(
        reverse("safety:edit", args=[child.pk]), plan_post(1, what_helps="A cup of tea and his dog.")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2 and plan.what_helps == "A cup of tea and his dog."
    assert plan.history.count() == 2  # every save is kept
    page = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert "A cup of tea and his dog." in page and "If I shut my door" in page
    assert AuditEvent.objects.filter(action="update", object_type="safety.safetyplan", child_id=child.pk).exists()


def test_a_save_based_on_an_older_version_is_refused_and_nothing_typed_is_lost(client_for, alice, manager, child):
    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(0))
    # Both open version 1; Alice saves first.
    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(1, what_helps="Alice's change"))
    response = client_for(manager).post(
        reverse("safety:edit", args=[child.pk]), plan_post(1, what_helps="Mair's change")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this safety plan" in body
    assert "Mair&#x27;s change" in body  # what the manager typed is still in the form
    assert "Alice&#x27;s change" in body  # beside what is stored now
    assert 'name="version" value="2"' in body  # the next save is based on the stored version
    plan = SafetyPlan.objects.get(child=child)
    assert (plan.version, plan.what_helps) == (2, "Alice's change")


def test_two_first_saves_do_not_both_create_a_plan(alice, manager, child):
    values = {k: v for k, v in plan_post(0).items() if k != "version"}
    services.save_plan(by=alice, child=child, expected_version=0, values=values)
    with pytest.raises(StaleEditError) as refused:
        services.save_plan(by=manager, child=child, expected_version=0, values={**values, "what_helps": "other"})
    assert refused.value.current.version == 1
    assert SafetyPlan.objects.filter(child=child).count() == 1


def test_bad_input_is_explained_and_kept(client_for, alice, child):
    response = client_for(alice).post(
        reverse("safety:edit", args=[child.pk]), plan_post(0, warning_signs="", what_helps="<script>x</script>")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Remove the HTML" in body
    assert "Sioned (foster carer) 0117 496 0123" in body
    assert not SafetyPlan.objects.exists()


def test_only_the_care_team_and_managers_change_the_plan(client_for, alice, manager, duty, child):
    access = start_break_glass(duty, child)
    # The first tier reaches the plan, not its edit page: that is a 404 like every page it
    # does not reach (ADR 014); with the whole record the page is visible but not theirs (403).
    assert client_for(duty).get(reverse("safety:edit", args=[child.pk])).status_code == 404
    assert client_for(duty).post(reverse("safety:edit", args=[child.pk]), plan_post(0)).status_code == 404
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        whole_record_at=timezone.now(), whole_record_reason="Police ask about it"
    )
    assert client_for(duty).get(reverse("safety:edit", args=[child.pk])).status_code == 403
    assert client_for(duty).post(reverse("safety:edit", args=[child.pk]), plan_post(0)).status_code == 403
    assert client_for(manager).post(reverse("safety:edit", args=[child.pk]), plan_post(0)).status_code == 302
    values = {k: v for k, v in plan_post(1).items() if k != "version"}
    with pytest.raises(PermissionDenied):
        services.save_plan(by=duty, child=child, expected_version=1, values=values)


def test_strangers_and_colleagues_outside_the_team_get_404(client_for, charlie, bob, partner, duty, alice, child):
    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(0))
    for user in (charlie, bob, partner, duty):  # duty without break-glass reaches nothing
        client = client_for(user)
        for name in ("safety:plan", "safety:edit"):
            assert client.get(reverse(name, args=[child.pk])).status_code == 404, (user, name)
            assert client.post(reverse(name, args=[child.pk]), plan_post(1)).status_code == 404, (user, name)


def test_the_on_call_worker_reads_the_plan_through_break_glass_and_records_only_out_of_hours(
    client_for, alice, duty, manager, child
):
    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(0))
    client = client_for(duty)
    assert client.get(reverse("safety:plan", args=[child.pk])).status_code == 404
    access = start_break_glass(duty, child)
    page = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert "If I shut my door" in page
    assert "through emergency access" in page and "read-only" in page
    assert timezone.localtime(access.expires_at).strftime("%H:%M") in page  # says until when
    assert reverse("safety:edit", args=[child.pk]) not in page
    view = AuditEvent.objects.get(action="view", actor=duty, object_type="safety.safetyplan")
    assert view.route == "break_glass" and view.child_id == child.pk
    # The link preselects an out-of-hours contact, the only kind break-glass may record.
    link = reverse("contacts:create", args=[child.pk]) + "?kind=out_of_hours"
    assert link in page
    form = client.get(link).content.decode()
    assert 'value="out_of_hours" checked' in form
    url = reverse("contacts:create", args=[child.pk])
    refused = client.post(url, contact_post(kind="individual"))
    assert "only an out-of-hours or crisis contact" in refused.content.decode()
    assert client.post(url, contact_post()).status_code == 302
    contact = Contact.objects.get()
    assert contact.kind == "out_of_hours" and contact.practitioner == duty
    page = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert "Carer phoned; plan followed." in page  # recorded against the plan
    # The list of contacts the form leads back to is opened through emergency access too, and
    # the manager's review says so.
    client.get(reverse("contacts:child", args=[child.pk]))
    listed = AuditEvent.objects.filter(action="list", actor=duty, child_id=child.pk).get()
    assert listed.route == "break_glass" and listed.detail == {"page": "contacts"}
    review = client_for(manager).get(reverse("people:break_glass_review")).content.decode()
    assert "Listed or searched – Contacts" in review


def test_out_of_hours_contacts_show_newest_first(client_for, alice, child):
    now = timezone.now()
    for days, summary in ((5, "Older call"), (1, "Newer call")):
        Contact.objects.create(
            child=child,
            practitioner=alice,
            recorded_by=alice,
            kind="out_of_hours",
            location="phone",
            starts_at=now - datetime.timedelta(days=days),
            idempotency_key=summary,
            summary=summary,
        )
    Contact.objects.create(
        child=child,
        practitioner=alice,
        recorded_by=alice,
        kind="individual",
        location="home",
        starts_at=now,
        idempotency_key="session",
        summary="A daytime session",
    )
    page = client_for(alice).get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert page.index("Newer call") < page.index("Older call")
    assert "A daytime session" not in page


def test_the_manager_sees_what_was_opened_under_each_break_glass(client_for, alice, duty, manager, child, south):
    other = ChildFactory(service=south, given_name="Nia", family_name="Ail")
    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(0))
    client_for(alice).get(reverse("safety:plan", args=[child.pk]))  # Alice's own read is not emergency access
    first = start_break_glass(duty, child, whole_record=True)
    second = start_break_glass(duty, other)
    client = client_for(duty)
    client.get(reverse("people:detail", args=[child.pk]))
    client.get(reverse("safety:plan", args=[child.pk]))
    client.get(reverse("safety:plan", args=[other.pk]))
    review = client_for(manager).get(reverse("people:break_glass_review")).content.decode()
    first_card = review[
        review.index(f'href="{reverse("people:detail", args=[child.pk])}"') : review.index(
            f'href="{reverse("people:detail", args=[other.pk])}"'
        )
    ]
    assert "Crisis and safety plan" in first_card
    assert "The record" in first_card
    second_card = review[review.index(f'href="{reverse("people:detail", args=[other.pk])}"') :]
    assert second_card.count("Crisis and safety plan") == 1
    assert "The record" not in second_card  # only what was opened for that child
    assert first.pk != second.pk


def test_events_after_the_access_ended_are_not_listed_under_it(client_for, duty, manager, child):
    access = start_break_glass(duty, child)
    client_for(duty).get(reverse("safety:plan", args=[child.pk]))
    BreakGlassAccess.objects.filter(pk=access.pk).update(ended_at=timezone.now())
    # A later access is a separate review item with its own pages.
    start_break_glass(duty, child, whole_record=True)
    client_for(duty).get(reverse("people:detail", args=[child.pk]))
    review = client_for(manager).get(reverse("people:break_glass_review")).content.decode()
    cards = review.split("govuk-summary-card__title-wrapper")[1:]
    assert len(cards) == 2
    assert "Crisis and safety plan" in cards[0] and "The record" not in cards[0]
    assert "The record" in cards[1] and "Crisis and safety plan" not in cards[1]


@pytest.mark.parametrize("name", ["safety:plan", "people:break_glass_review"])
def test_queries_do_not_grow_with_contacts_or_accesses(
    client_for, duty, manager, alice, south, name, django_assert_max_num_queries
):
    kids = []

    def grow(size: int) -> None:
        now = timezone.now()
        for index in range(size):
            kid = ChildFactory(service=south)
            kids.append(kid)
            CareTeamMembership.objects.create(child=kid, user=alice, role="lead")
            Contact.objects.create(
                child=kids[0],
                practitioner=alice,
                recorded_by=alice,
                kind="out_of_hours",
                location="phone",
                starts_at=now - datetime.timedelta(minutes=index),
                idempotency_key=f"q{len(kids)}",
            )
            start_break_glass(duty, kid)
            record(actor=duty, action="view", obj=kid, child_id=kid.pk, route="break_glass")

    grow(5)
    client = client_for(manager)
    url = reverse(name, args=[kids[0].pk]) if name == "safety:plan" else reverse(name)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    grow(195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_demo_seed_is_deterministic_and_idempotent(south, manager, alice, bob):
    kids = [ChildFactory(service=south, preferred_language="cy" if i % 3 == 0 else "en") for i in range(30)]
    for kid in kids[:10]:
        RelatedPersonFactory(child=kid, name=f"Carer {kid.pk}")
    demo.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(5))
    plans = SafetyPlan.objects.count()
    contacts = Contact.objects.count()
    assert 10 < plans < 30
    assert SafetyPlan.history.count() == plans
    demo.seed(service=south, manager=manager, practitioners=[alice, bob], children=kids, rng=random.Random(99))
    assert SafetyPlan.objects.count() == plans
    assert Contact.objects.count() == contacts
    assert not Contact.objects.exclude(kind="out_of_hours").exists()
    welsh = SafetyPlan.objects.filter(child__preferred_language="cy").first()
    if welsh is not None:
        assert "Nyth" in welsh.who_to_call_out_of_hours and "Gweithiwr" in welsh.who_to_call_out_of_hours


# --- Emergency access lands on the safety plan (issue 12 B, ADR 014) -----------------------------


def test_the_first_tier_of_emergency_access_shows_what_the_on_call_worker_needs(client_for, alice, duty, child):
    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(0))
    access = start_break_glass(duty, child)
    client = client_for(duty)
    page = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    # Every number is a tel: link, digits only.
    assert '<a class="govuk-link" href="tel:+441174960123">0117 496 0123</a>' in page
    assert '<a class="govuk-link" href="tel:+442920180999">029 2018 0999</a>' in page
    # Back leads to the emergency access page, not to the record (a 404 on this tier).
    assert reverse("people:break_glass") in page
    assert f'href="{reverse("people:detail", args=[child.pk])}"' not in page
    # The banner says when access ends on every page, with the pages the worker needs.
    until = timezone.localtime(access.expires_at).strftime("%H:%M")
    for url in (reverse("core:home"), reverse("contacts:child", args=[child.pk]), reverse("accounts:account")):
        body = client.get(url).content.decode()
        assert 'id="emergency-access-banner"' in body, url
        assert f"ends at {until}" in body, url
        assert reverse("contacts:create", args=[child.pk]) + "?kind=out_of_hours" in body, url
    # "Emergency access" comes first in the navigation, after Home.
    home = client.get(reverse("core:home")).context["nav_items"]
    assert [item["label"] for item in home][:2] == ["Home", "Emergency access"]


def test_the_banner_is_not_shown_without_a_running_access(client_for, duty, alice, child):
    access = start_break_glass(duty, child)
    BreakGlassAccess.objects.filter(pk=access.pk).update(ended_at=timezone.now())
    assert 'id="emergency-access-banner"' not in client_for(duty).get(reverse("core:home")).content.decode()
    assert 'id="emergency-access-banner"' not in client_for(alice).get(reverse("core:home")).content.decode()


def test_contacts_on_the_first_tier_offer_to_correct_only_out_of_hours_contacts(client_for, alice, duty, child):
    now = timezone.now()
    mine = Contact.objects.create(
        child=child,
        practitioner=duty,
        recorded_by=duty,
        kind="out_of_hours",
        location="phone",
        starts_at=now - datetime.timedelta(hours=1),
        idempotency_key="ooh",
        summary="Carer rang 07700 900123",
    )
    session = Contact.objects.create(
        child=child,
        practitioner=alice,
        recorded_by=alice,
        kind="individual",
        location="home",
        starts_at=now - datetime.timedelta(days=1),
        idempotency_key="session",
        summary="Session at home",
    )
    start_break_glass(duty, child)
    page = client_for(duty).get(reverse("contacts:child", args=[child.pk])).content.decode()
    assert reverse("contacts:edit", args=[child.pk, mine.pk]) in page
    assert reverse("contacts:edit", args=[child.pk, session.pk]) not in page
    assert 'href="tel:+447700900123"' in page
    assert reverse("safety:plan", args=[child.pk]) in page  # back to the safety plan


def test_the_banner_and_tel_links_in_welsh(client_for, alice, duty, child):
    from django.utils import translation

    client_for(alice).post(reverse("safety:edit", args=[child.pk]), plan_post(0))
    start_break_glass(duty, child)
    with translation.override("cy"):
        url = reverse("safety:plan", args=[child.pk])
    assert url.startswith("/cy/")
    page = client_for(duty).get(url).content.decode()
    assert f"Mae eich mynediad brys at {child.display_name} yn dod i ben am" in page
    assert "Cofnodi&#x27;r cyswllt y tu allan i oriau" in page or "Cofnodi'r cyswllt y tu allan i oriau" in page
    assert 'href="tel:+441174960123"' in page


def test_the_plan_carries_the_language_it_was_written_in(client_for, alice, child):
    """WCAG 3.1.2: a plan written in Welsh from the English screens is marked lang="cy" on
    every part the young person wrote; the Welsh form defaults to Welsh."""
    client = client_for(alice)
    url = reverse("safety:edit", args=[child.pk])
    with translation.override("cy"):
        welsh_url = reverse("safety:edit", args=[child.pk])
    assert 'name="text_language" type="radio" value="cy" checked' in client.get(welsh_url).content.decode()
    client.post(url, plan_post(0, in_their_words="Curwch y drws a dywedwch eich bod chi yno.", text_language="cy"))
    assert SafetyPlan.objects.get(child=child).text_language == "cy"
    page = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert '<div class="govuk-inset-text" lang="cy">Curwch y drws' in page
    assert page.count('<dd class="govuk-summary-list__value" lang="cy">') == 6
    SafetyPlan.objects.filter(child=child).update(text_language="")
    page = client.get(reverse("safety:plan", args=[child.pk])).content.decode()
    assert 'lang="cy">Curwch' not in page and '<div class="govuk-inset-text">Curwch' in page
