"""The timeline: every source in one chronological view, filtered by kind without JavaScript,
limited to the last 12 months unless asked for everything, paged – with the number of queries
fixed however long the record is, and never a word of a section the reader may not read."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import SectionVersion
from assessments.services import assessment_for, restrict_section
from audit.models import AuditEvent
from contacts.models import Contact
from episodes import timeline
from episodes.models import Episode, EpisodeEvent, Transition
from people.models import BreakGlassAccess, Placement
from people.tests.factories import local_authority
from referrals.models import Decision, InitialConsultation
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

SECRET = "Disclosed only to Mair: never on the timeline"


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, hours=1)


def build_record(child, *, south, alice, manager, size: int) -> None:
    """``size`` items of every source the timeline reads, all within the last 300 days."""
    days = [index % 300 for index in range(size)]
    referrals = [ReferralFactory(service=south, child=child, received_at=_ago(d + 1)) for d in days]
    Decision.objects.bulk_create(
        Decision(
            referral=r,
            outcome="accepted",
            reason="Complex needs after a placement move",
            decided_by=manager,
            decided_at=_ago(d),
        )
        for r, d in zip(referrals, days, strict=True)
    )
    InitialConsultation.objects.bulk_create(
        InitialConsultation(
            referral=r,
            held_on=_ago(d).date(),
            held_by=alice,
            participants="Carer, social worker",
            best_placed_to_help="The foster carer, with consultation",
            can_start_now="Weekly consultation with the carer",
        )
        for r, d in zip(referrals, days, strict=True)
    )
    assessment = assessment_for(child)
    start = assessment.versions.count()
    SectionVersion.objects.bulk_create(
        SectionVersion(
            assessment=assessment,
            section="strengths",
            number=start + i + 1,
            revision=start + i + 1,
            text=f"Strengths text {i}",
            author=alice,
            created_at=_ago(d),
        )
        for i, d in enumerate(days)
    )
    Contact.objects.bulk_create(
        Contact(
            child=child,
            practitioner=alice,
            recorded_by=alice,
            kind="individual",
            location="home",
            summary="Walk and talk",
            starts_at=_ago(d),
            idempotency_key=f"timeline:{child.pk}:{start}:{i}",
        )
        for i, d in enumerate(days)
    )
    Placement.objects.bulk_create(
        Placement(
            child=child,
            type="foster_la",
            local_authority_area=local_authority(),
            start_date=_ago(d).date(),
            end_date=_ago(d).date(),
        )
        for d in days
    )
    episode = Episode.objects.filter(child=child).first() or Episode.objects.create(
        child=child, opened_on=_ago(300).date(), opened_from="returning", opened_by=alice
    )
    EpisodeEvent.objects.bulk_create(
        EpisodeEvent(
            episode=episode, kind="paused", on=_ago(d).date(), reason="A break over the exams", recorded_by=alice
        )
        for d in days
    )
    Transition.objects.bulk_create(
        Transition(
            child=child, kind="school_move", planned_on=_ago(d).date(), summary="Moving school", created_by=alice
        )
        for d in days
    )
    _build_plans(child, south=south, alice=alice, size=size, days=days)
    _build_outcomes(child, episode=episode, alice=alice, days=days)


def _build_outcomes(child, *, episode, alice, days: list[int]) -> None:
    """Per item: a review point completed (SWEMWBS and one goal rated), one marked not done, and
    a goal rating between points."""
    from decimal import Decimal

    from outcomes.models import GoalRating, Instrument, Measurement, MeasurementPoint
    from plans.models import Goal, Plan

    plan = Plan.objects.filter(child=child).first() or Plan.objects.create(
        child=child, language="en", next_review_on=timezone.localdate(), updated_by=alice
    )
    goal = Goal.objects.filter(plan=plan).first() or Goal.objects.create(plan=plan, text="Sleep better")
    swemwbs = Instrument.objects.get(code="swemwbs")
    done = MeasurementPoint.objects.bulk_create(
        MeasurementPoint(
            child=child, episode=episode, kind="review", due_on=_ago(d).date(), status="done",
            taken_on=_ago(d).date(), source="with_practitioner", recorded_by=alice,
        )
        for d in days
    )  # fmt: skip
    MeasurementPoint.objects.bulk_create(
        MeasurementPoint(
            child=child, episode=episode, kind="review", due_on=_ago(d).date(), status="not_done",
            not_done_reason="declined", taken_on=_ago(d).date(), recorded_by=alice,
        )
        for d in days
    )  # fmt: skip
    Measurement.objects.bulk_create(
        Measurement(
            child=child, point=p, instrument=swemwbs, raw_score=Decimal(25), score=Decimal("22.35"),
            taken_on=p.taken_on, source="with_practitioner", recorded_by=alice,
        )
        for p in done
    )  # fmt: skip
    GoalRating.objects.bulk_create(
        [GoalRating(child=child, goal=goal, point=p, value=6, rated_by="young_person", rated_on=p.taken_on,
                    recorded_by=alice) for p in done]
        + [GoalRating(child=child, goal=goal, value=8, rated_by="young_person", rated_on=_ago(d).date(),
                      recorded_by=alice) for d in days]
    )  # fmt: skip


def _build_plans(child, *, south, alice, size: int, days: list[int]) -> None:
    from plans.models import OptionOffer, Plan, PlanReview, SupportOption

    plan = Plan.objects.filter(child=child).first()
    if plan is None:
        plan = Plan.objects.create(child=child, language="en", next_review_on=timezone.localdate(), updated_by=alice)
    for _ in range(size - 1):  # every save is a version on the timeline
        plan.version += 1
        plan.save()
    PlanReview.objects.bulk_create(
        PlanReview(
            plan=plan,
            held_on=_ago(d).date(),
            participants="Siôn, carer",
            young_person_view="Things are better at home",
            progress="Sleeping better",
            next_review_on=timezone.localdate(),
            recorded_by=alice,
        )
        for d in days
    )
    option, _created = SupportOption.objects.get_or_create(
        service=south,
        name_en="Life story work",
        defaults={
            "kind": "therapeutic",
            "name_cy": "Gwaith stori bywyd",
            "description_en": "x",
            "suits_en": "x",
            "adaptations_en": "x",
        },
    )
    taken = set(OptionOffer.objects.filter(child=child).values_list("offered_on", flat=True))
    offers, day = [], timezone.localdate()
    while len(offers) < size:
        day -= datetime.timedelta(days=1)
        if day not in taken:
            offers.append(
                OptionOffer(
                    child=child,
                    option=option,
                    offered_on=day,
                    offered_by=alice,
                    how_explained="With pictures",
                    recorded_by=alice,
                )
            )
    OptionOffer.objects.bulk_create(offers)


def test_one_view_brings_every_source_together(client_for, alice, manager, child, south):
    build_record(child, south=south, alice=alice, manager=manager, size=1)
    response = client_for(alice).get(reverse("episodes:timeline", args=[child.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for expected in (
        "Referral received",
        "Decision: Accepted onto the waiting list",
        "Initial consultation",
        "Assessment: Strengths and interests (version 1)",
        "Direct session: individual",
        "Placement started",
        "Placement ended",
        "Support paused",
        "Moving school",
        reverse("episodes:list", args=[child.pk]),
        "Outcome measures completed: review",
        "SWEMWBS 22.35 (metric); 1 goal rated",
        "Outcome measures not done: review",
        "Goal rated between measurement points: 8 out of 10",
        reverse("outcomes:child_outcomes", args=[child.pk]),
    ):
        assert expected in body, expected
    assert "Plan written" in body and "Plan review" in body and "Support offered: Life story work" in body
    assert "Strengths text" not in body  # assessment entries never carry text
    event = AuditEvent.objects.get(actor=alice, action="view", child_id=child.pk, detail__page="timeline")
    assert event.route == "ui"


def test_restricted_sections_never_appear_and_no_text_ever_does(client_for, alice, manager, child):
    assessment = assessment_for(child)
    SectionVersion.objects.create(
        assessment=assessment, section="my_story", number=1, revision=1, text="Siôn's own story", author=alice
    )
    SectionVersion.objects.create(
        assessment=assessment, section="adversity", number=1, revision=2, text=SECRET, author=manager
    )
    restrict_section(
        by=manager, child=child, section="adversity", allowed=[manager], reason="Disclosure: named people only"
    )
    alices = client_for(alice).get(reverse("episodes:timeline", args=[child.pk])).content.decode()
    assert "My story and what matters to me (version 1)" in alices
    assert "Experiences of adversity and trauma" not in alices  # not even its title
    assert SECRET not in alices and "Siôn&#x27;s own story" not in alices
    managers = client_for(manager).get(reverse("episodes:timeline", args=[child.pk])).content.decode()
    assert "Experiences of adversity and trauma (version 1)" in managers  # named: sees that it was written
    assert SECRET not in managers  # …but the timeline still never shows the text


def test_filters_by_kind_and_date_range_without_javascript(client_for, alice, manager, child, south):
    build_record(child, south=south, alice=alice, manager=manager, size=1)
    Contact.objects.create(
        child=child,
        practitioner=alice,
        recorded_by=alice,
        kind="family",
        location="home",
        starts_at=_ago(700),
        idempotency_key="timeline:old",
    )
    client = client_for(alice)
    url = reverse("episodes:timeline", args=[child.pk])
    default = client.get(url).content.decode()
    assert "Direct session: family" not in default  # older than 12 months
    assert 'value="contact" checked' in default
    everything = client.get(url, {"range": "all"}).content.decode()
    assert "Direct session: family" in everything
    only_contacts = client.get(url, {"filtered": "1", "kind": ["contact"], "range": "all"}).content.decode()
    assert "Direct session: family" in only_contacts and "Referral received" not in only_contacts
    assert 'value="referral" checked' not in only_contacts
    none = client.get(url, {"filtered": "1"}).content.decode()
    assert "Choose at least one kind" in none
    oldest = client.get(url, {"range": "all", "order": "oldest", "filtered": "1", "kind": "contact"}).content.decode()
    assert oldest.index("Direct session: family") < oldest.index("Direct session: individual")


def test_pages_split_the_entries_without_losing_or_repeating_any(client_for, alice, manager, child, south):
    episode = Episode.objects.create(child=child, opened_on=_ago(300).date(), opened_from="returning", opened_by=alice)
    EpisodeEvent.objects.bulk_create(
        EpisodeEvent(
            episode=episode, kind="paused", on=_ago(i).date(), reason=f"Reason number {i:03d}", recorded_by=alice
        )
        for i in range(timeline.PAGE_SIZE + 20)
    )
    client = client_for(alice)
    url = reverse("episodes:timeline", args=[child.pk])
    first = client.get(url, {"filtered": "1", "kind": "episode"}).content.decode()
    second = client.get(url, {"filtered": "1", "kind": "episode", "page": "2"}).content.decode()
    seen_first = {i for i in range(timeline.PAGE_SIZE + 20) if f"Reason number {i:03d}" in first}
    seen_second = {i for i in range(timeline.PAGE_SIZE + 20) if f"Reason number {i:03d}" in second}
    assert len(seen_first) == timeline.PAGE_SIZE and len(seen_second) == 20
    assert not seen_first & seen_second
    assert "Next page" in first and "Next page" not in second and "Previous page" in second


def test_queries_do_not_grow_with_the_record(client_for, alice, manager, child, south, django_assert_max_num_queries):
    """5 and then 200 items of every source: the page needs the same number of queries."""
    client = client_for(alice)
    url = reverse("episodes:timeline", args=[child.pk])
    build_record(child, south=south, alice=alice, manager=manager, size=5)
    with django_assert_max_num_queries(40) as small:
        response = client.get(url, {"range": "all"})
    assert response.status_code == 200
    build_record(child, south=south, alice=alice, manager=manager, size=195)  # 200 of each
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url, {"range": "all"})
    assert response.status_code == 200
    assert "Next page" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_break_glass_reads_the_timeline_audited_as_such(client_for, alice, duty, child):
    BreakGlassAccess.objects.create(  # with the second grant, the whole record (ADR 014)
        user=duty,
        child=child,
        reason="Night crisis",
        expires_at=timezone.now() + datetime.timedelta(hours=2),
        whole_record_at=timezone.now(),
    )
    assert client_for(duty).get(reverse("episodes:timeline", args=[child.pk])).status_code == 200
    assert AuditEvent.objects.get(actor=duty, action="view", detail__page="timeline").route == "break_glass"


def test_strangers_and_colleagues_outside_the_team_get_404(client_for, bob, charlie, partner, commissioner, child):
    for user in (bob, charlie, partner, commissioner):
        assert client_for(user).get(reverse("episodes:timeline", args=[child.pk])).status_code == 404, user


def test_words_people_wrote_carry_their_language_and_the_byline_the_readers(client_for, alice, manager, child, south):
    """The timeline shows a contact's summary after fixed text: the summary alone is marked
    with the language it was written in; an assessment entry names the author's service in the
    reader's language, though it was saved from English screens (ADR 015)."""
    from django.utils import translation

    from contacts.models import Contact

    build_record(child, south=south, alice=alice, manager=manager, size=1)
    from assessments.models import SectionVersion

    # As saved from English screens: the label of the time, and the organisation itself.
    SectionVersion.objects.filter(assessment__child=child).update(
        author_organisation="South Service", author_organisation_ref=south
    )
    Contact.objects.filter(child=child).update(summary="Buom yn siarad am yr ysgol.", text_language="cy")
    with translation.override("cy"):
        url = reverse("episodes:timeline", args=[child.pk])
    body = client_for(alice).get(url).content.decode()
    assert '<span lang="cy">Buom yn siarad am yr ysgol.</span>' in body
    assert "Alice Ymarferydd, Gwasanaeth y De" in body and "South Service" not in body


def test_measurements_points_not_done_and_ratings_between_points_in_english_and_welsh(client_for, alice, child):
    """Through the outcomes services, as a practitioner records them: a start point with SWEMWBS,
    the guidance's question and a goal; a review the young person declined; a rating of a goal
    between points – each on the timeline, linked to the outcomes page, in the reader's language."""
    from django.utils import translation

    from episodes import services as episode_services
    from outcomes import services as outcome_services
    from outcomes.models import GoalRating, MeasurementPoint
    from plans.models import Goal, Plan

    today = timezone.localdate()
    episode = episode_services.open_episode(
        by=alice, child=child, opened_on=today - datetime.timedelta(days=60), opened_from="returning"
    )
    plan = Plan.objects.create(child=child, language="cy", updated_by=alice, next_review_on=today)
    goal = Goal.objects.create(plan=plan, text="Mynd i'r ysgol bob dydd", text_language="cy")
    start = MeasurementPoint.objects.get(episode=episode, kind="start")
    outcome_services.record_point(
        by=alice, point=start, key="k-start", taken_on=today - datetime.timedelta(days=50), source="with_practitioner",
        answers={"swemwbs": {str(n): "4" for n in range(1, 8)}, "trusted_adult": {"answer": "yes"}},  # raw 28
        goal_ratings={str(goal.uuid): "3"}, rated_by="young_person",
    )  # fmt: skip
    review = outcome_services.schedule_point(
        by=alice, episode=episode, kind="review", due_on=today - datetime.timedelta(days=20)
    )
    outcome_services.mark_not_done(by=alice, point=review, reason="declined", on=today - datetime.timedelta(days=20))
    GoalRating.objects.create(
        child=child, goal=goal, value=5, rated_by="young_person", rated_on=today - datetime.timedelta(days=10),
        recorded_by=alice,
    )  # fmt: skip
    client = client_for(alice)
    only_outcomes = {"filtered": "1", "kind": "outcome", "range": "all"}
    body = client.get(reverse("episodes:timeline", args=[child.pk]), only_outcomes).content.decode()
    assert "Outcome measures completed: start" in body
    assert "SWEMWBS 25.03 (metric); A good relationship with a trusted adult: Yes; 1 goal rated" in body
    assert "Outcome measures not done: review" in body and "Reason: The young person declined" in body
    assert "Goal rated between measurement points: 5 out of 10" in body and "Rated by: The young person" in body
    assert '<span lang="cy">Mynd i&#x27;r ysgol bob dydd</span>' in body  # the goal, in its language
    assert body.count(f'href="{reverse("outcomes:child_outcomes", args=[child.pk])}"') == 3
    assert "Support started" not in body  # the filter shows outcome entries only

    with translation.override("cy"):
        address = reverse("episodes:timeline", args=[child.pk])
        expected = [
            translation.gettext("Outcome measures completed: start"),
            translation.gettext("%(measure)s %(score)s (metric)") % {"measure": "SWEMWBS", "score": "25.03"},
            translation.gettext("Outcome measures not done: review"),
            translation.gettext("Reason: %(reason)s") % {"reason": translation.gettext("The young person declined")},
            translation.gettext("Goal rated between measurement points: %(value)s out of 10") % {"value": 5},
            translation.ngettext("%(count)s goal rated", "%(count)s goals rated", 1) % {"count": 1},
            translation.gettext("Outcome measures"),
        ]
    assert expected[0] != "Outcome measures completed: start", "the Welsh catalogue should translate it"
    welsh = client.get(address, only_outcomes).content.decode()
    for text in expected:
        assert text.replace("'", "&#x27;") in welsh, text
    assert "Outcome measures completed" not in welsh and "goal rated" not in welsh
