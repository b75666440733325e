"""The holistic assessment pages. Thin: the child is reached through ``visible_to`` (with the
shared parts), ``assessments.access.section_access`` alone decides which sections the user reads
and writes, every change goes through ``assessments.services``, and every page is audited.

Out of scope (no route to the child, or nothing of the assessment shared) → 404; in scope but not
allowed (a section not covered, read-only emergency access) → 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessments import seen, services
from assessments.access import SectionAccess, restricted_sections, section_access
from assessments.forms import CompareForm, RestrictForm, SectionForm
from assessments.models import SectionRestriction
from assessments.sections import BY_KEY, SECTIONS, Section
from audit.models import Action, Route
from audit.services import record, record_list
from consent.access import consents_for, safeguarding_for
from core.forms import add_service_errors, rebind_after_stale_save
from core.http import AuthenticatedHttpRequest
from outcomes.models import children_sharing_scores
from people.access import audit_route, get_visible_or_404
from people.models import CareTeamMembership, Child
from plans.models import Plan

SEEN_PAGE_SIZE = 50
SHARED_PAGE_SIZE = 25


# --- Reaching the child and the assessment ----------------------------------------------------


def _child_and_access(request: AuthenticatedHttpRequest, child_pk: int) -> tuple[Child, SectionAccess]:
    """The child, if any part of the assessment is open to this user; otherwise 404."""
    child = get_visible_or_404(
        request, Child.objects.visible_to(request.user, include_shared=True).select_related("service"), pk=child_pk
    )
    access = section_access(request.user, child)
    if not access.any:
        raise Http404
    return child, access


def _section(key: str) -> Section:
    if key not in BY_KEY:
        raise Http404
    return BY_KEY[key]


def _route_name(access: SectionAccess) -> str:
    """The route recorded with each audit event ("who has seen my story" explains it)."""
    if access.record_routes:
        return access.record_routes[0]
    routes = set(access.readable.values())
    return "consent" if "consent" in routes or not routes else "safeguarding"


def _audit_route(access: SectionAccess) -> str:
    return Route.BREAK_GLASS if access.via_break_glass else Route.UI


def _audit_view(
    request: AuthenticatedHttpRequest, child: Child, access: SectionAccess, obj: Any, **detail: Any
) -> None:
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=obj,
        child_id=child.pk,
        route=_audit_route(access),
        detail={"route": _route_name(access), **detail},
    )


def _byline(version: Any) -> dict[str, Any]:
    """Who wrote a version, from where and when – as they were when writing (the snapshot)."""
    return {
        "who": version.byline_who(),
        "date": version.created_at,
        "through_consent": version.route == "consent",
    }


# --- The assessment ---------------------------------------------------------------------------


def assessment(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child, access = _child_and_access(request, child_pk)
    the_assessment = services.assessment_for(child)
    current = services.current_versions(the_assessment)
    restricted_here = restricted_sections(child)
    rows = []
    # A partner is told how many sections are withheld from them, not which ones nor why: the
    # title of a restricted section, or the word "restricted", says what kind of thing is in it.
    withheld_count = 0
    for section in SECTIONS:
        key = section.key
        if key in access.restricted and not access.can_read(key) and not access.whole_record:
            withheld_count += 1
            continue
        row: dict[str, Any] = {"section": section, "key": key}
        if access.can_read(key):
            version = current.get(key)
            row.update(
                state="readable",
                version=version,
                byline=_byline(version) if version else None,
                can_write=access.can_write(key),
                # A named reader is told the section is restricted (and that they are one of few).
                restricted_to_me=key in restricted_here,
            )
        elif key in access.restricted:
            row["state"] = "restricted"
        else:
            row["state"] = "not_shared"
        rows.append(row)
    _audit_view(request, child, access, the_assessment, sections=sorted(access.readable))
    user = request.user
    return render(
        request,
        "assessments/assessment.html",
        {
            "child": child,
            "assessment": the_assessment,
            "rows": rows,
            "withheld_count": withheld_count,
            "whole_record": access.whole_record,
            "via_break_glass": access.via_break_glass,
            "consents": [] if access.whole_record else consents_for(user, child),
            "safeguarding": [] if access.whole_record else safeguarding_for(user, child),
            "can_share": access.can_change_record,
        },
    )


def _access_ended_mid_edit(request: AuthenticatedHttpRequest, child_pk: int, section: str) -> HttpResponse | None:
    """A partner saving a section after the consent that let them write it was withdrawn: tell
    them why, and give them back the text they typed (theirs), not a bare 404. Nothing of the
    record is shown – not the young person's name, nor the stored text."""
    from consent.access import withdrawn_while_working

    child = Child.objects.visible_to(request.user, include_shared=True).filter(pk=child_pk).first()
    if child is not None and section_access(request.user, child).can_write(section):
        return None
    consent = withdrawn_while_working(request.user, child_pk, section)
    if consent is None:
        return None  # the ordinary 404 or 403 follows
    record(
        actor=request.user,
        action=Action.REFUSED,
        child_id=child_pk,
        detail={"reason": "consent_withdrawn", "section": section},
        route=audit_route(request.user, child_pk),
    )
    return render(
        request,
        "assessments/access_ended.html",
        {"section": _section(section), "text": request.POST.get("text", ""), "withdrawn_at": consent.withdrawn_at},
        status=403,
    )


def section_edit(request: AuthenticatedHttpRequest, child_pk: int, section: str) -> HttpResponse:
    if request.method == "POST" and (ended := _access_ended_mid_edit(request, child_pk, section)) is not None:
        return ended
    child, access = _child_and_access(request, child_pk)
    the_section = _section(section)
    if not access.can_write(section):
        raise PermissionDenied
    the_assessment = services.assessment_for(child)
    latest = (
        the_assessment.versions.filter(section=section)
        .select_related("author", "author_organisation_ref")
        .order_by("-number")
        .first()
    )
    stale = None
    stale_diff: list[tuple[str, str]] = []
    if request.method == "POST":
        form = SectionForm(request.POST, section=the_section)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.save_section(
                    by=request.user,
                    child=child,
                    section=section,
                    text=data["text"],
                    based_on=data["based_on"],
                    voice=data["voice"],
                    text_language=data["text_language"],
                )
            except services.StaleSectionError as exc:
                stale = exc.current
                # Keep everything typed; the next save is based on the version now stored,
                # so saving again (after reading theirs) is a deliberate choice, not a race.
                form = rebind_after_stale_save(
                    SectionForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else saved this section while you were editing. Nothing has been "
                        "overwritten and your text has not been saved yet: it is still in the box below. "
                        "Read their version, change yours if you need to, then save again."
                    ),
                    version_field="based_on",
                    version_attr="number",
                    section=the_section,
                )
                if stale is not None:
                    stale_diff = services.word_diff(stale.text, exc.attempted_text)
                _audit_view(request, child, access, the_assessment, page="edit", section=section)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if latest is not None and version.pk == latest.pk:
                    messages.success(request, _("Nothing had changed, so no new version was made."))
                else:
                    messages.success(
                        request,
                        _("“%(section)s” was saved as version %(number)s.")
                        % {"section": the_section.title, "number": version.number},
                    )
                return redirect(f"{reverse('assessments:assessment', args=[child.pk])}#section-{section}")
    else:
        form = SectionForm(
            section=the_section,
            initial={"text": latest.text, "voice": latest.voice, "based_on": latest.number}
            if latest
            else {"based_on": 0},
        )
        _audit_view(request, child, access, the_assessment, page="edit", section=section)
    return render(
        request,
        "assessments/section_edit.html",
        {
            "child": child,
            "section": the_section,
            "form": form,
            "latest": latest,
            "stale": stale,
            "stale_byline": _byline(stale) if stale else None,
            "stale_diff": stale_diff,
            "restricted": section in restricted_sections(child),
            "whole_record": access.whole_record,
        },
    )


def section_history(request: AuthenticatedHttpRequest, child_pk: int, section: str) -> HttpResponse:
    child, access = _child_and_access(request, child_pk)
    the_section = _section(section)
    if not access.can_read(section):
        raise PermissionDenied
    the_assessment = services.assessment_for(child)
    versions = (
        the_assessment.versions.filter(section=section)
        .select_related("author", "author_organisation_ref")
        .order_by("-number")
    )
    entries = [{"version": v, "byline": _byline(v)} for v in versions]
    _audit_view(request, child, access, the_assessment, page="history", section=section)
    return render(
        request,
        "assessments/section_history.html",
        {"child": child, "section": the_section, "entries": entries, "can_write": access.can_write(section)},
    )


def compare(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child, access = _child_and_access(request, child_pk)
    the_assessment = services.assessment_for(child)
    latest = the_assessment.revision
    default = {"from": max(latest - 1, 0), "to": latest}
    changes: list[dict[str, Any]] | None = None
    chosen = None
    if "from" in request.GET or "to" in request.GET:
        form = CompareForm(request.GET, latest=latest)
        if form.is_valid():
            chosen = {"from": form.cleaned_data["from"], "to": form.cleaned_data["to"]}
    else:
        form = CompareForm(initial=default, latest=latest)
        if latest > 0:
            chosen = default
    if chosen is not None:
        found = services.compare(the_assessment, chosen["from"], chosen["to"], readable=set(access.readable))
        changes = [
            {"section": BY_KEY[c.section], "change": c, "byline": _byline(c.after) if c.after else None} for c in found
        ]
    _audit_view(
        request,
        child,
        access,
        the_assessment,
        page="compare",
        compared=[chosen["from"], chosen["to"]] if chosen else [],
        sections=[c["section"].key for c in changes or []],
    )
    return render(
        request,
        "assessments/compare.html",
        {"child": child, "form": form, "latest": latest, "chosen": chosen, "changes": changes},
    )


# --- Restricting a section --------------------------------------------------------------------


def _restriction_candidates(request: AuthenticatedHttpRequest, child: Child) -> QuerySet[User]:
    """Who may be named: the child's active care team (as far as the user may see it) and the
    holding service's managers. The person restricting is always named, so is not offered."""
    team = CareTeamMembership.objects.visible_to(request.user).filter(child=child).active().values("user_id")
    managers = Q(role=Role.SERVICE_MANAGER, organisation_id=child.service_id)
    return (
        User.objects.filter(Q(pk__in=team) | managers, is_active=True)
        .exclude(pk=request.user.pk)
        .order_by("last_name", "first_name")
    )


def section_restrict(request: AuthenticatedHttpRequest, child_pk: int, section: str) -> HttpResponse:
    child, access = _child_and_access(request, child_pk)
    the_section = _section(section)
    if not access.can_write(section) or not access.whole_record:  # partners ask the lead practitioner
        raise PermissionDenied
    people = _restriction_candidates(request, child)
    the_assessment = services.assessment_for(child)
    current: SectionRestriction | None = (
        the_assessment.restrictions.filter(section=section, lifted_at__isnull=True)
        .prefetch_related("allowed_users")
        .first()
    )
    if request.method == "POST" and request.POST.get("action") == "lift":
        services.lift_restriction(by=request.user, child=child, section=section)
        messages.success(request, _("“%(section)s” is no longer restricted.") % {"section": the_section.title})
        return redirect(f"{reverse('assessments:assessment', args=[child.pk])}#section-{section}")
    if request.method == "POST":
        form = RestrictForm(request.POST, people=people)
        if form.is_valid():
            try:
                services.restrict_section(
                    by=request.user,
                    child=child,
                    section=section,
                    allowed=list(form.cleaned_data["allowed"]),
                    reason=form.cleaned_data["reason"],
                    text_language=form.cleaned_data["text_language"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(section)s” is now restricted to the people you named.") % {"section": the_section.title},
                )
                return redirect(f"{reverse('assessments:assessment', args=[child.pk])}#section-{section}")
    else:
        initial = {}
        if current is not None:
            initial = {
                "allowed": [u.pk for u in current.allowed_users.all() if u.pk != request.user.pk],
                "reason": current.reason,
            }
        form = RestrictForm(people=people, initial=initial)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        route=_audit_route(access),
        detail={"page": "restrict", "section": section, "route": _route_name(access)},
    )
    return render(
        request,
        "assessments/section_restrict.html",
        {
            "child": child,
            "section": the_section,
            "form": form,
            "current": current,
            "named": list(current.allowed_users.all()) if current else [],
            "can_lift": current is not None and any(u.pk == request.user.pk for u in current.allowed_users.all()),
        },
    )


# --- Who has seen my story --------------------------------------------------------------------


def who_has_seen(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """Every read, change, share and copy of the assessment, in words the young person could
    read. For those who see the whole record (care team, managers, emergency access)."""
    child = get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)
    # Grouped by person and day before paging, so a group is never split across two pages; a
    # child's story has hundreds of events, not millions (two queries, whatever their number).
    page = Paginator(seen.describe(request.user, child, list(seen.story_events(child))), SEEN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    lines = list(page.object_list)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        route=audit_route(request.user, child),
        detail={"page": "seen", "shown": len(lines), "page_number": page.number},
    )
    return render(
        request,
        "assessments/seen.html",
        {"child": child, "page": page, "lines": lines, "abbreviations": seen.abbreviations_in(lines)},
    )


# --- Shared with me ---------------------------------------------------------------------------


def shared_with_me(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Children of whom some parts are shared with this user by consent or an approved
    safeguarding share – not those whose whole record they see (those are on the children list)."""
    user = request.user
    if user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not user.role:
        raise PermissionDenied
    children = (
        Child.objects.visible_to(user, include_shared=True)
        .exclude(pk__in=Child.objects.visible_to(user).values("pk"))
        .order_by("family_name", "given_name", "pk")
    )
    page = Paginator(children, SHARED_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = []
    children_here = list(page.object_list)
    with_plan = set(
        Plan.objects.visible_to(user, include_shared=True)
        .filter(child__in=children_here)
        .values_list("child_id", flat=True)
    )
    with_scores = set(
        children_sharing_scores(user).filter(pk__in=[c.pk for c in children_here]).values_list("pk", flat=True)
    )
    for child in children_here:
        access = section_access(user, child)
        plan_shared = child.pk in with_plan
        if not access.any and not plan_shared and child.pk not in with_scores:
            continue
        entries.append(
            {
                "child": child,
                "plan_shared": plan_shared,
                "outcomes_shared": child.pk in with_scores,
                "sections": [section for section in SECTIONS if access.can_read(section.key)],
                "writable": bool(access.writable),
                "restricted": bool(access.restricted),
                "consents": consents_for(user, child),
                "safeguarding": safeguarding_for(user, child),
            }
        )
    record_list(
        actor=user,
        page="shared_with_me",
        children=[entry["child"].pk for entry in entries],
        route=Route.UI,
        page_number=page.number,
    )
    return render(request, "assessments/shared_with_me.html", {"page": page, "entries": entries})
