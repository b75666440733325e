"""The timeline: one chronological view of a young person's support, so a new practitioner reads
it instead of asking the young person to tell their story again.

Each source (referrals, decisions, initial consultations, assessment section versions, plans,
reviews and options offered, contacts, placements, episode events, transitions, outcome
measurement points and goal ratings between them, significant events) is fetched with ONE query – scoped by ``visible_to`` and limited to what the page can show – and the entries are
merged in Python, so the number of queries does not grow with the record.

Assessment entries name the section, its version, author and date only, and only for the
sections ``assessments.access.section_access`` lets this user read: a restricted section is not
even mentioned, and no section's text is ever loaded here (``defer("text")``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.names import organisation_name

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child

#: Entries per page.
PAGE_SIZE = 100
#: The default range: the last twelve months.
DEFAULT_DAYS = 365
_SHORT = 160

KINDS: dict[str, Any] = {
    "referral": gettext_lazy("Referrals and decisions"),
    "assessment": gettext_lazy("Assessment"),
    "plan": gettext_lazy("Plans and reviews"),
    "contact": gettext_lazy("Contacts"),
    "placement": gettext_lazy("Placements"),
    "episode": gettext_lazy("Episodes of support"),
    "transition": gettext_lazy("Transitions"),
    "outcome": gettext_lazy("Outcome measures"),
    "event": gettext_lazy("Significant events"),
}


@dataclass
class Entry:
    when: datetime.datetime
    kind: str
    title: str
    detail: str = ""
    #: Words someone wrote (shown after ``detail``), marked with the language they were written
    #: in – ``detail`` is fixed text in the page's language (ADR 015).
    text: str = ""
    text_language: str = ""
    who: str = ""
    url: str = ""
    #: A date without a time of day (shown without one).
    date_only: bool = False
    planned: bool = False

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _short(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(_SHORT)


def _name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass
class Query:
    user: User
    child: Child
    since: datetime.date | None
    limit: int
    newest_first: bool

    def order(self, *fields: str) -> list[str]:
        return [f"-{f}" if self.newest_first else f for f in fields]

    @property
    def since_at(self) -> datetime.datetime | None:
        return _at(self.since) if self.since else None


# --- Sources: one query each ---------------------------------------------------------------


def _referrals(q: Query) -> list[Entry]:
    from referrals.models import Referral

    rows = Referral.objects.visible_to(q.user).filter(child=q.child)
    if q.since:
        rows = rows.filter(received_at__gte=q.since_at)
    rows = rows.only("pk", "reference", "received_at", "referrer_type", "referrer_name", "referrer_organisation")
    return [
        Entry(
            when=r.received_at,
            kind="referral",
            title=_("Referral received (%(reference)s)") % {"reference": r.reference},
            detail=_("From: %(who)s") % {"who": r.get_referrer_type_display()},
            who=", ".join(part for part in (r.referrer_name, r.referrer_organisation) if part),
            url=reverse("referrals:detail", args=[r.pk]),
        )
        for r in rows.order_by(*q.order("received_at", "pk"))[: q.limit]
    ]


def _decisions(q: Query) -> list[Entry]:
    from referrals.models import Decision

    rows = Decision.objects.visible_to(q.user).filter(referral__child=q.child).select_related("decided_by", "referral")
    if q.since:
        rows = rows.filter(decided_at__gte=q.since_at)
    return [
        Entry(
            when=d.decided_at,
            kind="referral",
            title=_("Decision: %(outcome)s") % {"outcome": d.get_outcome_display()},
            text=_short(d.reason),
            text_language=d.reason_language,
            who=_name(d.decided_by),
            url=reverse("referrals:detail", args=[d.referral_id]),
        )
        for d in rows.order_by(*q.order("decided_at", "pk"))[: q.limit]
    ]


def _initial_consultations(q: Query) -> list[Entry]:
    from referrals.models import InitialConsultation

    rows = InitialConsultation.objects.visible_to(q.user).filter(referral__child=q.child).select_related("held_by")
    if q.since:
        rows = rows.filter(held_on__gte=q.since)
    return [
        Entry(
            when=_at(c.held_on),
            date_only=True,
            kind="referral",
            title=_("Initial consultation"),
            detail=_("What can start now: %(text)s") % {"text": _short(c.can_start_now)},
            who=_name(c.held_by),
            url=reverse("referrals:detail", args=[c.referral_id]),
        )
        for c in rows.order_by(*q.order("held_on", "pk"))[: q.limit]
    ]


def _assessment(q: Query, readable: set[str]) -> list[Entry]:
    from assessments.models import SectionVersion
    from assessments.sections import BY_KEY
    from people.models import Child

    if not readable:
        return []
    rows = (
        SectionVersion.objects.filter(
            assessment__child__in=Child.objects.visible_to(q.user),
            assessment__child=q.child,
            section__in=sorted(readable),
        )
        .select_related("author", "author_organisation_ref")
        .defer("text")  # never loaded, so never shown
    )
    if q.since:
        rows = rows.filter(created_at__gte=q.since_at)
    entries = []
    for v in rows.order_by(*q.order("created_at", "pk"))[: q.limit]:
        if v.section not in readable:  # belt and braces: the filter above already says so
            continue
        entries.append(
            Entry(
                when=v.created_at,
                kind="assessment",
                title=_("Assessment: %(section)s (version %(number)s)")
                % {"section": BY_KEY[v.section].title, "number": v.number},
                detail=v.get_voice_display(),
                who=", ".join(
                    part
                    for part in (_name(v.author), organisation_name(v.author_organisation_ref, v.author_organisation))
                    if part
                ),
                url=reverse("assessments:section_history", args=[q.child.pk, v.section]),
            )
        )
    return entries


def _plan_url(child: Child) -> str:
    return reverse("plans:plan", args=[child.pk])


def _plan_entries(q: Query) -> list[Entry]:
    """Every saved version of the plan, its reviews and the support options offered, each read
    with one query within the one scope (people.access)."""
    from people.models import Child
    from plans.models import OptionOffer, Plan, PlanReview

    entries: list[Entry] = []
    url = _plan_url(q.child)
    visible = Child.objects.visible_to(q.user)
    versions = Plan.history.filter(child__in=visible, child_id=q.child.pk).select_related("history_user")
    if q.since:
        versions = versions.filter(history_date__gte=q.since_at)
    for version in versions.order_by(*q.order("history_date", "history_id"))[: q.limit]:
        created = version.history_type == "+"
        title = _("Plan written") if created else _("Plan updated (version %(number)s)") % {"number": version.version}
        agreement = version.get_agreement_display() if version.agreement else ""
        entries.append(
            Entry(
                when=version.history_date,
                kind="plan",
                title=title,
                detail=_("Does the young person agree? %(answer)s") % {"answer": agreement} if agreement else "",
                who=_name(version.history_user),
                url=url,
            )
        )
    reviews = PlanReview.objects.visible_to(q.user).filter(plan__child=q.child).select_related("recorded_by")
    if q.since:
        reviews = reviews.filter(held_on__gte=q.since)
    for review in reviews.order_by(*q.order("held_on", "pk"))[: q.limit]:
        view = review.young_person_view
        entries.append(
            Entry(
                when=_at(review.held_on),
                date_only=True,
                kind="plan",
                title=_("Plan review"),
                detail=_("The young person's view: %(text)s") % {"text": _short(view)} if view else "",
                who=_name(review.recorded_by),
                url=url,
            )
        )
    offers = OptionOffer.objects.visible_to(q.user).filter(child=q.child).select_related("option", "offered_by")
    if q.since:
        offers = offers.filter(offered_on__gte=q.since)
    for offer in offers.order_by(*q.order("offered_on", "pk"))[: q.limit]:
        response = offer.get_response_display() if offer.response else _("No answer yet")
        entries.append(
            Entry(
                when=_at(offer.offered_on),
                date_only=True,
                kind="plan",
                title=_("Support offered: %(option)s") % {"option": offer.option},
                detail=str(response),
                who=_name(offer.offered_by),
                url=url,
            )
        )
    return entries


def _contacts(q: Query) -> list[Entry]:
    from contacts.models import Contact

    rows = Contact.objects.visible_to(q.user).filter(child=q.child).select_related("practitioner")
    if q.since:
        rows = rows.filter(starts_at__gte=q.since_at)
    now = timezone.now()
    entries = []
    for c in rows.order_by(*q.order("starts_at", "pk"))[: q.limit]:
        parts = [c.get_attendance_display()]
        if c.consultation_with:
            parts.append(c.get_consultation_with_display())
        parts.append(c.get_location_display())
        detail = ", ".join(str(p) for p in parts)
        entries.append(
            Entry(
                when=c.starts_at,
                kind="contact",
                title=c.get_kind_display(),
                detail=detail,
                text=_short(c.summary) if c.summary else "",
                text_language=c.text_language,
                who=_name(c.practitioner),
                url=reverse("contacts:child", args=[q.child.pk]),
                planned=c.starts_at > now,
            )
        )
    return entries


def _placements(q: Query) -> list[Entry]:
    from django.db.models import Q

    from people.models import Placement

    rows = Placement.objects.visible_to(q.user).filter(child=q.child).select_related("local_authority_area")
    if q.since:
        rows = rows.filter(Q(start_date__gte=q.since) | Q(end_date__gte=q.since))
    entries = []
    url = reverse("people:detail", args=[q.child.pk])
    for p in rows.order_by(*q.order("start_date", "pk"))[: q.limit]:
        area = str(p.local_authority_area) + (f" ({_('outside Wales')})" if p.outside_wales else "")
        if not q.since or p.start_date >= q.since:
            entries.append(
                Entry(
                    when=_at(p.start_date),
                    date_only=True,
                    kind="placement",
                    title=_("Placement started: %(type)s") % {"type": p.get_type_display()},
                    detail=area,
                    url=url,
                )
            )
        if p.end_date and (not q.since or p.end_date >= q.since):
            entries.append(
                Entry(
                    when=_at(p.end_date),
                    date_only=True,
                    kind="placement",
                    title=_("Placement ended: %(type)s") % {"type": p.get_type_display()},
                    detail=area,
                    url=url,
                )
            )
    return entries


def _significant_events(q: Query) -> list[Entry]:
    """Significant events (``events``): the kind, who told us and the note; removed ones not."""
    from events.models import SignificantEvent
    from events.services import counted

    rows = SignificantEvent.objects.visible_to(q.user).filter(child=q.child).filter(counted())
    if q.since:
        rows = rows.filter(occurred_on__gte=q.since)
    url = reverse("events:child", args=[q.child.pk])
    return [
        Entry(
            when=_at(e.occurred_on),
            date_only=True,
            kind="event",
            title=e.get_kind_display(),
            detail=_("Told by: %(source)s") % {"source": e.get_source_display()},
            text=_short(e.note),
            text_language=e.text_language,
            who=_name(e.recorded_by),
            url=url,
        )
        for e in rows.select_related("recorded_by").order_by(*q.order("occurred_on", "pk"))[: q.limit]
    ]


def _episode_events(q: Query) -> list[Entry]:
    from episodes.models import EpisodeEvent, EventKind

    rows = EpisodeEvent.objects.visible_to(q.user).filter(episode__child=q.child).select_related("recorded_by")
    if q.since:
        rows = rows.filter(on__gte=q.since)
    titles = {
        EventKind.OPENED: _("Support started"),
        EventKind.PAUSED: _("Support paused"),
        EventKind.RESUMED: _("Support resumed"),
        EventKind.CLOSED: _("Support closed"),
        EventKind.REOPENED: _("Support re-opened"),
    }
    url = reverse("episodes:list", args=[q.child.pk])
    return [
        Entry(
            when=_at(e.on),
            date_only=True,
            kind="episode",
            title=titles.get(e.kind, e.get_kind_display()),
            text=_short(e.reason),
            text_language=e.text_language,
            who=_name(e.recorded_by),
            url=url,
        )
        for e in rows.order_by(*q.order("on", "recorded_at", "pk"))[: q.limit]
    ]


def _transitions(q: Query) -> list[Entry]:
    from django.db.models import Q

    from episodes.models import Transition, TransitionStatus

    rows = Transition.objects.visible_to(q.user).filter(child=q.child).select_related("created_by", "completed_by")
    if q.since:
        rows = rows.filter(Q(planned_on__gte=q.since) | Q(completed_on__gte=q.since))
    entries = []
    for t in rows.order_by(*q.order("planned_on", "pk"))[: q.limit]:
        done = t.status == TransitionStatus.DONE and t.completed_on is not None
        day = t.completed_on if done else t.planned_on
        entries.append(
            Entry(
                when=_at(day),
                date_only=True,
                kind="transition",
                title=(_("%(kind)s: completed") if done else _("%(kind)s: %(status)s"))
                % {"kind": t.get_kind_display(), "status": t.get_status_display().lower()},
                text=_short(t.summary),
                text_language=t.text_language,
                who=_name(t.completed_by if done else t.created_by),
                url=reverse("episodes:transition_detail", args=[t.pk]),
                planned=not done,
            )
        )
    return entries


#: "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)" → "SWEMWBS": the short name a
#: timeline line has room for.
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z0-9-]+)\)")


def _measure_result(m: Any) -> str:
    """One measurement as a timeline line shows it: "SWEMWBS 22.35 (metric)", "SDQ 18", or a
    guidance question's answer ("A good relationship with a trusted adult: Yes")."""
    from outcomes.models import Answer, ScoringMethod

    instrument = m.instrument
    found = _ABBREVIATION.search(instrument.name)
    label = found.group(1) if found else instrument.name
    if instrument.scoring == ScoringMethod.QUESTION:
        answer = dict(Answer.choices).get(m.answer, m.answer)
        return _("%(measure)s: %(answer)s") % {"measure": instrument.name, "answer": answer}
    if m.score is None:
        return label
    values = {"measure": label, "score": floatformat(m.score, "-2")}
    if instrument.scoring == ScoringMethod.SWEMWBS_METRIC:
        return _("%(measure)s %(score)s (metric)") % values
    if instrument.scoring == ScoringMethod.RAW_SUM:
        return _("%(measure)s %(score)s (raw)") % values
    return "{measure} {score}".format(**values)


def _outcomes(q: Query) -> list[Entry]:
    """Measurement points completed or marked not done (one query, their measurements a second,
    the rating count annotated), and GBO ratings made between points (a third) – each linked to
    the outcomes page. Scores are personal data: every query is through ``visible_to``."""
    from django.db.models import Count, Prefetch

    from outcomes.models import GoalRating, Measurement, MeasurementPoint, PointKind, PointStatus, RatedBy

    url = reverse("outcomes:child_outcomes", args=[q.child.pk])
    points = (
        MeasurementPoint.objects.visible_to(q.user)
        .filter(child=q.child, status__in=(PointStatus.DONE, PointStatus.NOT_DONE), taken_on__isnull=False)
        .select_related("recorded_by")
        .annotate(rated=Count("goal_ratings"))
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=Measurement.objects.visible_to(q.user)
                .select_related("instrument")
                .order_by("instrument__order", "pk"),
            )
        )
    )
    if q.since:
        points = points.filter(taken_on__gte=q.since)
    # Whole sentences per kind: Welsh cannot slot a translated noun into a sentence (mutation).
    done_titles = {
        PointKind.START: _("Outcome measures completed: start"),
        PointKind.REVIEW: _("Outcome measures completed: review"),
        PointKind.END: _("Outcome measures completed: end"),
    }
    not_done_titles = {
        PointKind.START: _("Outcome measures not done: start"),
        PointKind.REVIEW: _("Outcome measures not done: review"),
        PointKind.END: _("Outcome measures not done: end"),
    }
    entries = []
    for p in points.order_by(*q.order("taken_on", "pk"))[: q.limit]:
        if p.status == PointStatus.NOT_DONE:
            title = not_done_titles.get(p.kind, p.get_kind_display())
            detail = _("Reason: %(reason)s") % {"reason": p.get_not_done_reason_display()}
        else:
            title = done_titles.get(p.kind, p.get_kind_display())
            parts = [_measure_result(m) for m in p.measurements.all()]
            if p.rated:
                parts.append(ngettext("%(count)s goal rated", "%(count)s goals rated", p.rated) % {"count": p.rated})
            detail = "; ".join(parts)
        entries.append(
            Entry(
                when=_at(p.taken_on),
                date_only=True,
                kind="outcome",
                title=title,
                detail=detail,
                who=_name(p.recorded_by),
                url=url,
            )  # fmt: skip
        )
    ratings = (
        GoalRating.objects.visible_to(q.user)
        .filter(child=q.child, point__isnull=True)
        .select_related("goal", "recorded_by")
    )
    if q.since:
        ratings = ratings.filter(rated_on__gte=q.since)
    raters = dict(RatedBy.choices)
    for r in ratings.order_by(*q.order("rated_on", "pk"))[: q.limit]:
        entries.append(
            Entry(
                when=_at(r.rated_on),
                date_only=True,
                kind="outcome",
                title=_("Goal rated between measurement points: %(value)s out of 10") % {"value": r.value},
                detail=_("Rated by: %(who)s") % {"who": raters.get(r.rated_by, r.rated_by)},
                # The goal in the young person's words, marked with the language it is in (ADR 015).
                text=_short(r.goal.text),
                text_language=r.goal.text_language,
                who=_name(r.recorded_by),
                url=url,
            )
        )
    return entries


def build(
    *,
    user: User,
    child: Child,
    kinds: set[str],
    since: datetime.date | None,
    page: int = 1,
    newest_first: bool = True,
) -> tuple[list[Entry], bool]:
    """The entries of one page, and whether there are more. Every source is asked for at most
    ``page * PAGE_SIZE + 1`` rows: enough to know the page exactly after merging."""
    from assessments.access import section_access

    q = Query(user=user, child=child, since=since, limit=page * PAGE_SIZE + 1, newest_first=newest_first)
    sources: list[tuple[str, Callable[[Query], list[Entry]]]] = [
        ("referral", _referrals),
        ("referral", _decisions),
        ("referral", _initial_consultations),
        ("plan", _plan_entries),
        ("contact", _contacts),
        ("placement", _placements),
        ("episode", _episode_events),
        ("transition", _transitions),
        ("outcome", _outcomes),
        ("event", _significant_events),
    ]
    entries: list[Entry] = []
    for kind, source in sources:
        if kind in kinds:
            entries.extend(source(q))
    if "assessment" in kinds:
        entries.extend(_assessment(q, set(section_access(user, child).readable)))
    if since is not None:
        floor = _at(since)
        entries = [e for e in entries if e.when >= floor]
    entries.sort(key=lambda e: e.when, reverse=newest_first)
    start = (page - 1) * PAGE_SIZE
    return entries[start : start + PAGE_SIZE], len(entries) > page * PAGE_SIZE
