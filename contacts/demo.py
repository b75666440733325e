"""Synthetic demo contacts: a few weeks of sessions, consultations and carer training for the
young people in each practitioner's care team, and next week's bookings, so the caseload, diary
and team pages have a working week to show. Recorded through ``record_contact`` (so audited and idempotent: running
it again records nothing new, because the same contact has the same key)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from accounts.models import Organisation, User
from contacts.models import Attendance, ConsultationWith, ContactLanguage, Kind, Location
from contacts.services import ContactValues, record_contact
from people.models import CareTeamMembership, Child

WEEKS = 6
SUMMARIES = {
    Kind.INDIVIDUAL: "Session using drawing and a feelings map; agreed to carry on next week.",
    Kind.FAMILY: "Session with the young person and their carer on repairing after arguments.",
    Kind.CONSULTATION: "Advice on a calm space and a trusted adult at the start of the school day.",
    Kind.CARER_TRAINING: "Carer session on responding to big feelings with curiosity and empathy.",
}


def seed(
    *,
    service: Organisation,
    manager: User,
    practitioners: Sequence[User],
    children: Sequence[Child],
    rng: random.Random,
) -> None:
    """Weekly-ish contacts over the last few weeks for up to eight young people per practitioner."""
    from episodes.models import Episode, EpisodeStatus

    # Only young people whose support is going on now (an open episode, or none recorded yet):
    # a closed or paused episode has no sessions this week.
    stopped = set(Episode.objects.exclude(status=EpisodeStatus.OPEN).values_list("child_id", flat=True))
    stopped -= set(Episode.objects.filter(status=EpisodeStatus.OPEN).values_list("child_id", flat=True))
    wanted = {child.pk for child in children if child.service_id == service.pk and child.pk not in stopped}
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    for practitioner in practitioners:
        memberships = (
            CareTeamMembership.objects.filter(user=practitioner, ended_at__isnull=True, child_id__in=wanted)
            .select_related("child")
            .order_by("child_id")[:8]
        )
        for slot, membership in enumerate(memberships):
            child = membership.child
            welsh = child.preferred_language == "cy"
            for week in range(-1, WEEKS):  # next week's bookings, this week and the weeks before
                day = monday - datetime.timedelta(weeks=week) + datetime.timedelta(days=slot % 5)
                starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + slot % 7, 0)))
                kind = rng.choice(
                    [Kind.INDIVIDUAL, Kind.INDIVIDUAL, Kind.FAMILY, Kind.CONSULTATION, Kind.CARER_TRAINING]
                )
                outcome = Attendance.DID_NOT_ATTEND if rng.random() < 0.1 else Attendance.ATTENDED
                if starts > timezone.now() or (week == 0 and slot % 4 == 0):
                    outcome = Attendance.BOOKED  # still to come, or happened with the outcome not yet recorded
                values: ContactValues = {
                    "kind": kind,
                    "starts_at": starts,
                    "duration_minutes": 60,
                    "attendance": outcome,
                    "consultation_with": ConsultationWith.TEACHER if kind == Kind.CONSULTATION else "",
                    "language": ContactLanguage.WELSH if welsh else ContactLanguage.ENGLISH,
                    "location": Location.SCHOOL
                    if kind == Kind.CONSULTATION
                    else rng.choice([Location.HOME, Location.SERVICE, Location.ONLINE]),
                    "summary": "" if outcome == Attendance.BOOKED else SUMMARIES[kind],
                }
                record_contact(by=practitioner, child=child, values=values)
