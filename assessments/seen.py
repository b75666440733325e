"""Who has seen my story: the audit trail of a child's assessment, told in plain words.

Every read, change, share and copy of the assessment is already an ``AuditEvent`` (the views
and services record them). This module chooses those events and writes each as sentences that
could be read with the young person: who (their job and organisation), when, what they did, and
why they were allowed to. It never shows the text of the assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.sections import BY_KEY
from audit.labels import name_organisations
from audit.models import Action, AuditEvent, Route
from people import access

if TYPE_CHECKING:
    from accounts.models import User
    from audit.models import AuditEventQuerySet
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


def story_events(child: Child) -> AuditEventQuerySet:
    """Every access to, change of, share and copy of ``child``'s assessment, newest first.
    (Opening the record page or this list itself is not reading the story, so it is not here.)"""
    touches_story = Q(object_type__in=[ASSESSMENT, VERSION, RESTRICTION, SHARE, EXPORT])
    shared_by_consent_route = Q(object_type__in=[SAFEGUARDING, CONSENT], action__in=[Action.SHARE, Action.EXPORT])
    # A partner reading the plan the young person agreed to share with them is part of it too.
    plan_read_by_partner = Q(object_type=PLAN, action=Action.VIEW, detail__page="shared_plan")
    return (
        AuditEvent.objects.filter(child_id=child.pk)
        .filter(touches_story | shared_by_consent_route | plan_read_by_partner)
        .select_related("actor")
        .order_by("-id")
    )


@dataclass(frozen=True)
class StoryLine:
    event: AuditEvent
    #: What happened, as a whole sentence ("On 3 March 2026, Dr Eleri (…) read your story.").
    what: str
    #: Why they could, as a whole sentence, or "".
    why: str


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
    among ``events`` – looked up within the child already reached through the caller's scope."""
    from assessments.models import AssessmentExport, AssessmentShare
    from consent.models import ConsentDecision, SafeguardingShare

    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in (SHARE, EXPORT, SAFEGUARDING, CONSENT) and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    found: dict[tuple[str, str], tuple[str, str]] = {}
    sources = {
        SHARE: AssessmentShare.objects.visible_to(user).select_related("recipient_organisation"),
        EXPORT: AssessmentExport.objects.filter(child=child).select_related("recipient_organisation"),
        SAFEGUARDING: SafeguardingShare.objects.visible_to(user).select_related("recipient_organisation"),
        CONSENT: ConsentDecision.objects.visible_to(user).select_related("recipient_organisation"),
    }
    for object_type, ids in wanted.items():
        for obj in sources[object_type].filter(child=child, pk__in=ids):
            if object_type == CONSENT:
                found[(object_type, str(obj.pk))] = (obj.recipient_label, "")
            else:
                found[(object_type, str(obj.pk))] = (str(obj.recipient_organisation), getattr(obj, "purpose", ""))
    return found


def describe(user: User, child: Child, events: list[AuditEvent]) -> list[StoryLine]:
    """Plain sentences for ``events`` (one page of ``story_events``)."""
    recipients = _recipients(user, child, events)
    name_organisations(events)  # in the reader's language
    lines = []
    for event in events:
        values = {
            "date": formats.date_format(timezone.localtime(event.occurred_at), "j F Y"),
            "who": _who(event),
            "part": _part(event.detail),
        }
        recipient, purpose = recipients.get((event.object_type, event.object_id), ("", ""))
        values["recipient"] = recipient or _("another organisation")
        what, why = _sentence(event, values, purpose)
        lines.append(StoryLine(event=event, what=what, why=why))
    return lines


def _sentence(event: AuditEvent, values: dict[str, str], purpose: str) -> tuple[str, str]:
    detail, kind, action = event.detail, event.object_type, event.action
    route = str(detail.get("route", ""))
    if event.route == Route.BREAK_GLASS:
        route = access.BREAK_GLASS
    why = str(_WHY[route]) if route in _WHY else ""
    if kind == PLAN:
        return _("On %(date)s, %(who)s read your plan.") % values, why or str(_WHY["consent"])
    if kind == VERSION:
        if action == Action.CREATE:
            return _("On %(date)s, %(who)s wrote the part about “%(part)s”.") % values, why
        return _("On %(date)s, %(who)s changed the part about “%(part)s”.") % values, why
    if kind == RESTRICTION:
        if detail.get("lifted"):
            return _("On %(date)s, %(who)s stopped keeping the part about “%(part)s” private.") % values, ""
        return (
            _("On %(date)s, %(who)s made the part about “%(part)s” private: only a few named people can read it.") % values,
            "",
        )
    if kind == EXPORT or action == Action.EXPORT:
        if purpose == "court":
            return _("On %(date)s, %(who)s made a copy of your story for the court.") % values, _(
                "You agreed that it could be used in court."
            )
        return _("On %(date)s, %(who)s made a copy of your story for %(recipient)s.") % values, _(
            "You agreed to share it with them."
        )
    if kind == SAFEGUARDING:
        return _("On %(date)s, %(who)s shared parts of your story with %(recipient)s.") % values, str(_WHY["safeguarding"])
    if kind in (SHARE, CONSENT) and action == Action.SHARE:
        return _("On %(date)s, %(who)s shared your story with %(recipient)s.") % values, str(_WHY["consent"])
    if kind == SHARE:
        return _("On %(date)s, %(who)s read the copy of your story shared with %(recipient)s.") % values, why
    page = detail.get("page")
    if action == Action.VIEW and page == "history":
        return _("On %(date)s, %(who)s looked at the earlier versions of the part about “%(part)s”.") % values, why
    if action == Action.VIEW and page == "compare":
        return _("On %(date)s, %(who)s compared earlier versions of your story.") % values, why
    if action == Action.VIEW and page == "edit":
        return _("On %(date)s, %(who)s opened the part about “%(part)s” to work on it.") % values, why
    if action in (Action.CREATE, Action.UPDATE):
        return _("On %(date)s, %(who)s changed your story.") % values, why
    return _("On %(date)s, %(who)s read your story.") % values, why
