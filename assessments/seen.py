"""Who has seen my story: the audit trail of a child's assessment, told in plain words.

Every read, change, share and copy of the assessment is already an ``AuditEvent`` (the views
and services record them). This module chooses those events and writes each as sentences that
could be read with the young person: who (their job and organisation), when, what they did, and
why they were allowed to. It never shows the text of the assessment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assessments.sections import BY_KEY
from audit import queries
from audit.labels import name_organisations
from audit.models import Action, Route
from people import access

if TYPE_CHECKING:
    from accounts.models import User
    from audit.models import AuditEvent, AuditEventQuerySet
    from people.models import Child

#: ``AuditEvent.object_type`` is the model's ``_meta.label_lower`` (audit.services.record).
ASSESSMENT = "assessments.assessment"
VERSION = "assessments.sectionversion"
RESTRICTION = "assessments.sectionrestriction"
SHARE = "assessments.assessmentshare"
EXPORT = "assessments.assessmentexport"
SAFEGUARDING = "consent.safeguardingshare"
CONSENT = "consent.consentdecision"
PLAN = "plans.plan"
CHILD = "people.child"


def story_events(child: Child) -> AuditEventQuerySet:
    """Every access to, change of, share and copy of ``child``'s assessment, newest first.
    (Opening the record page or this list itself is not reading the story, so it is not here.)"""
    touches_story = Q(object_type__in=[ASSESSMENT, VERSION, RESTRICTION, SHARE, EXPORT])
    shared_by_consent_route = Q(object_type__in=[SAFEGUARDING, CONSENT], action__in=[Action.SHARE, Action.EXPORT])
    # A partner reading the plan the young person agreed to share with them is part of it too.
    plan_read_by_partner = Q(object_type=PLAN, action=Action.VIEW, detail__page="shared_plan")
    # So is a partner reading the outcome scores shared with them (outcomes.views, on the child).
    scores_read_by_partner = Q(object_type=CHILD, action=Action.VIEW, detail__page="shared_outcomes")
    # A consent withdrawn is the young person taking their story back: listed too.
    consent_withdrawn = Q(object_type=CONSENT, action=Action.UPDATE, detail__withdrawn=True)
    return queries.story_events(
        child,
        touches_story | shared_by_consent_route | plan_read_by_partner | scores_read_by_partner | consent_withdrawn,
    )


@dataclass(frozen=True)
class StoryLine:
    """One person doing one thing on one day, however many times (issue 12 C)."""

    event: AuditEvent  # the newest of the group
    #: What happened, as a whole sentence ("On 2 December 2026, Elin Prys (…) read your story 3 times.").
    what: str
    #: Why they could, as a whole sentence, or "".
    why: str
    #: "Times: 09:14, 10:02, 15:40" (oldest first), or "Time: 09:14".
    times: str = ""
    count: int = 1
    day: date | None = None
    #: Every event the line stands for (a manager withholds a line from the young person's view).
    event_ids: tuple[int, ...] = ()


def _who(event: AuditEvent) -> str:
    name = event.actor_label or _("Nyth (the system)")
    details = []
    actor = event.actor
    if actor is not None:
        if actor.profession:
            details.append(str(actor.get_profession_display()))
        elif actor.job_title:
            details.append(actor.job_title)
    if event.organisation_name:
        details.append(event.organisation_name)
    return f"{name} ({', '.join(details)})" if details else name


def _part(detail: dict[str, Any]) -> str:
    section = BY_KEY.get(str(detail.get("section", "")))
    return str(section.title) if section else _("one part of it")


#: Why someone could: the route recorded with the event (see views._audit_view).
_WHY = {
    access.CARE_TEAM: gettext_lazy("They work with you as part of your care team."),
    access.SERVICE_MANAGER: gettext_lazy("They manage the service that supports you."),
    access.BREAK_GLASS: gettext_lazy("It was an emergency. Their manager checks every time this happens."),
    "consent": gettext_lazy("You agreed to share it with them."),
    "safeguarding": gettext_lazy("People were worried about your safety, and a manager agreed it had to be shared."),
}


def _recipients(user: User, child: Child, events: list[AuditEvent]) -> dict[tuple[str, str], tuple[str, str]]:
    """(object_type, object_id) → (recipient organisation, purpose) for the shares and copies
    among ``events`` – looked up within the child already reached through the caller's scope
    (the staff page's, or the young person's own through the "self" route)."""
    from assessments.models import AssessmentExport, AssessmentShare
    from consent.models import ConsentDecision, SafeguardingShare

    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in (SHARE, EXPORT, SAFEGUARDING, CONSENT) and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    found: dict[tuple[str, str], tuple[str, str]] = {}
    sources = {
        SHARE: AssessmentShare.objects.filter(child=child).select_related("recipient_organisation"),
        EXPORT: AssessmentExport.objects.filter(child=child).select_related("recipient_organisation"),
        SAFEGUARDING: SafeguardingShare.objects.filter(child=child).select_related("recipient_organisation"),
        CONSENT: ConsentDecision.objects.filter(child=child).select_related("recipient_organisation"),
    }
    for object_type, ids in wanted.items():
        for obj in sources[object_type].filter(child=child, pk__in=ids):
            if object_type == CONSENT:
                found[(object_type, str(obj.pk))] = (obj.recipient_label, "")
            else:
                found[(object_type, str(obj.pk))] = (str(obj.recipient_organisation), getattr(obj, "purpose", ""))
    return found


def describe(user: User, child: Child, events: list[AuditEvent]) -> list[StoryLine]:
    """Plain sentences for ``events`` (``story_events``, newest first): one line per person, day
    and thing done, newest first, with the count and the times. Names are in the reader's
    language; the queries do not grow with the events (two, whatever their number)."""
    recipients = _recipients(user, child, events)
    name_organisations(events)  # in the reader's language
    groups: dict[tuple[Any, ...], list[tuple[AuditEvent, str, str]]] = {}
    values_by_key: dict[tuple[Any, ...], dict[str, str]] = {}
    for event in events:
        values = {"who": _who(event), "part": _part(event.detail)}
        recipient, purpose = recipients.get((event.object_type, event.object_id), ("", ""))
        values["recipient"] = recipient or _("another organisation")
        kind, why = _kind(event, purpose)
        day = timezone.localtime(event.occurred_at).date()
        # Things done once (writing a part, making it private, a withdrawal) are never merged.
        once = kind in _ONCE
        key = (
            event.actor_id,
            event.actor_label,
            values["who"],
            day,
            kind,
            values["part"],
            values["recipient"],
            why,
            event.pk if once else None,
        )
        groups.setdefault(key, []).append((event, kind, why))
        values_by_key.setdefault(key, values)
    lines = []
    for key, members in groups.items():
        newest, kind, why = members[0]
        day = key[3]
        line_values: dict[str, Any] = {
            **values_by_key[key],
            "date": formats.date_format(day, "j F Y"),
            "count": len(members),
        }
        times = [
            formats.time_format(timezone.localtime(event.occurred_at), "H:i")
            for event, _kind, _why in reversed(members)
        ]
        what = _sentence(kind, len(members)) % line_values
        lines.append(
            StoryLine(
                event=newest,
                what=what,
                why=why,
                count=len(members),
                day=day,
                event_ids=tuple(event.pk for event, _kind, _why in members),
                times=ngettext("Time: %(times)s", "Times: %(times)s", len(times)) % {"times": ", ".join(times)},
            )
        )
    return lines


#: Short names a page may show, each with what it stands for (the reader's language).
ABBREVIATIONS = (
    (
        gettext_lazy("CAMHS"),
        gettext_lazy(
            "Child and Adolescent Mental Health Services: the NHS services that help children and young people with their mental health."
        ),
    ),
    (
        gettext_lazy("ALNCo"),
        gettext_lazy(
            "Additional learning needs co-ordinator: the teacher who makes sure a school meets each pupil's additional learning needs."
        ),
    ),
    (gettext_lazy("NHS"), gettext_lazy("National Health Service.")),
)


def abbreviations_in(lines: list[StoryLine]) -> list[tuple[str, str]]:
    """The short names used in ``lines``, each with its meaning, to explain on the page."""
    text = " ".join(f"{line.what} {line.why}" for line in lines)
    return [
        (str(short), str(meaning))
        for short, meaning in ABBREVIATIONS
        if re.search(rf"(?<!\w){re.escape(str(short))}(?!\w)", text)
    ]


# What a line says: one kind per sentence, counted with ngettext when it can happen many times.
READ, READ_PLAN, READ_COPY, HISTORY, COMPARE, OPENED, CHANGED, CHANGED_STORY = (
    "read",
    "read_plan",
    "read_copy",
    "history",
    "compare",
    "opened",
    "changed",
    "changed_story",
)
WROTE, RESTRICTED, LIFTED, COURT_COPY, COPY, SAFEGUARDING_SHARE, SHARED, WITHDRAWN = (
    "wrote",
    "restricted",
    "lifted",
    "court_copy",
    "copy",
    "safeguarding_share",
    "shared",
    "withdrawn",
)
READ_SCORES = "read_scores"
_ONCE = {WROTE, RESTRICTED, LIFTED, WITHDRAWN}


def _sentence(kind: str, count: int) -> str:
    """The sentence for ``kind`` done ``count`` times (a whole sentence per case: Welsh has four
    plural forms – ``Plural-Forms`` in the catalogue – and no sentence is built from parts)."""
    if kind == WROTE:
        return _("On %(date)s, %(who)s wrote the part about “%(part)s”.")
    if kind == RESTRICTED:
        return _("On %(date)s, %(who)s made the part about “%(part)s” private: only a few named people can read it.")
    if kind == LIFTED:
        return _("On %(date)s, %(who)s stopped keeping the part about “%(part)s” private.")
    if kind == WITHDRAWN:
        return _("On %(date)s, %(who)s recorded that you no longer agree to share with %(recipient)s.")
    counted = {
        READ_PLAN: lambda n: ngettext(
            "On %(date)s, %(who)s read your plan.", "On %(date)s, %(who)s read your plan %(count)s times.", n
        ),
        READ_SCORES: lambda n: ngettext(
            "On %(date)s, %(who)s read your outcome scores.",
            "On %(date)s, %(who)s read your outcome scores %(count)s times.",
            n,
        ),
        CHANGED: lambda n: ngettext(
            "On %(date)s, %(who)s changed the part about “%(part)s”.",
            "On %(date)s, %(who)s changed the part about “%(part)s” %(count)s times.",
            n,
        ),
        COURT_COPY: lambda n: ngettext(
            "On %(date)s, %(who)s made a copy of your story for the court.",
            "On %(date)s, %(who)s made %(count)s copies of your story for the court.",
            n,
        ),
        COPY: lambda n: ngettext(
            "On %(date)s, %(who)s made a copy of your story for %(recipient)s.",
            "On %(date)s, %(who)s made %(count)s copies of your story for %(recipient)s.",
            n,
        ),
        SAFEGUARDING_SHARE: lambda n: ngettext(
            "On %(date)s, %(who)s shared parts of your story with %(recipient)s.",
            "On %(date)s, %(who)s shared parts of your story with %(recipient)s %(count)s times.",
            n,
        ),
        SHARED: lambda n: ngettext(
            "On %(date)s, %(who)s shared your story with %(recipient)s.",
            "On %(date)s, %(who)s shared your story with %(recipient)s %(count)s times.",
            n,
        ),
        READ_COPY: lambda n: ngettext(
            "On %(date)s, %(who)s read the copy of your story shared with %(recipient)s.",
            "On %(date)s, %(who)s read the copy of your story shared with %(recipient)s %(count)s times.",
            n,
        ),
        HISTORY: lambda n: ngettext(
            "On %(date)s, %(who)s looked at the earlier versions of the part about “%(part)s”.",
            "On %(date)s, %(who)s looked at the earlier versions of the part about “%(part)s” %(count)s times.",
            n,
        ),
        COMPARE: lambda n: ngettext(
            "On %(date)s, %(who)s compared earlier versions of your story.",
            "On %(date)s, %(who)s compared earlier versions of your story %(count)s times.",
            n,
        ),
        OPENED: lambda n: ngettext(
            "On %(date)s, %(who)s opened the part about “%(part)s” to work on it.",
            "On %(date)s, %(who)s opened the part about “%(part)s” to work on it %(count)s times.",
            n,
        ),
        CHANGED_STORY: lambda n: ngettext(
            "On %(date)s, %(who)s changed your story.", "On %(date)s, %(who)s changed your story %(count)s times.", n
        ),
        READ: lambda n: ngettext(
            "On %(date)s, %(who)s read your story.", "On %(date)s, %(who)s read your story %(count)s times.", n
        ),
    }
    return counted[kind](count)


def _kind(event: AuditEvent, purpose: str) -> tuple[str, str]:
    """What ``event`` did (a kind of ``_sentence``) and why they could, as a whole sentence."""
    detail, kind, action = event.detail, event.object_type, event.action
    route = str(detail.get("route", ""))
    if event.route == Route.BREAK_GLASS:
        route = access.BREAK_GLASS
    why = str(_WHY[route]) if route in _WHY else ""
    if kind == CONSENT and action == Action.UPDATE and detail.get("withdrawn"):
        return WITHDRAWN, _("From then on, they could no longer read what you had agreed to share.")
    if kind == PLAN:
        return READ_PLAN, why or str(_WHY["consent"])
    if kind == CHILD and detail.get("page") == "shared_outcomes":
        return READ_SCORES, why or str(_WHY["consent"])
    if kind == VERSION:
        return (WROTE if action == Action.CREATE else CHANGED), why
    if kind == RESTRICTION:
        return (LIFTED if detail.get("lifted") else RESTRICTED), ""
    if kind == EXPORT or action == Action.EXPORT:
        if purpose == "court":
            return COURT_COPY, _("You agreed that it could be used in court.")
        return COPY, _("You agreed to share it with them.")
    if kind == SAFEGUARDING:
        return SAFEGUARDING_SHARE, str(_WHY["safeguarding"])
    if kind in (SHARE, CONSENT) and action == Action.SHARE:
        return SHARED, str(_WHY["consent"])
    if kind == SHARE:
        return READ_COPY, why
    page = detail.get("page")
    if action == Action.VIEW and page == "history":
        return HISTORY, why
    if action == Action.VIEW and page == "compare":
        return COMPARE, why
    if action == Action.VIEW and page == "edit":
        return OPENED, why
    if action in (Action.CREATE, Action.UPDATE):
        return CHANGED_STORY, why
    return READ, why
