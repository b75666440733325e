"""Episodes, transitions and the timeline. Thin: the rules are in services.py and timeline.py.

Anyone who sees the whole record (care team, service manager, break-glass) reads these pages;
the care team and managers change them (``people.access.can_change``). Out of scope → 404.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import record
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from episodes import services
from episodes import timeline as timeline_module
from episodes.forms import (
    ChecklistForm,
    ChecklistItemForm,
    CompleteTransitionForm,
    EpisodeEventForm,
    KindForm,
    OpenEpisodeForm,
    TransitionForm,
)
from episodes.models import (
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    Transition,
    TransitionChecklistItem,
    TransitionKind,
)
from people.access import audit_route, can_change, get_visible_or_404, record_page_opened, require_change
from people.models import Child, Placement
from people.services import can_manage_care_team
from referrals.models import Referral

#: How far back a placement without a transition is offered as "plan the move".
RECENT_PLACEMENT_DAYS = 180


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    return get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)


def _route(request: AuthenticatedHttpRequest, child: Child) -> str:
    return audit_route(request.user, child)


def _stale_message(what: str) -> str:
    """Whole sentences, one per thing: Welsh mutates a noun after the article and agrees with its
    gender ("y restr wirio", "y cyfnod"), so a translated noun cannot be slotted into a sentence."""
    messages_by_thing = {
        "episode": _(
            "Someone else changed this episode while you were working on it. Nothing has been saved and "
            "nothing you typed is lost: check what is saved now, then send again."
        ),
        "checklist": _(
            "Someone else changed this checklist while you were working on it. Nothing has been saved and "
            "nothing you typed is lost: check what is saved now, then send again."
        ),
        "transition": _(
            "Someone else changed this transition while you were working on it. Nothing has been saved and "
            "nothing you typed is lost: check what is saved now, then send again."
        ),
    }
    return messages_by_thing[what]


# --- Episodes ------------------------------------------------------------------------------


def episodes(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    events = (
        EpisodeEvent.objects.visible_to(request.user).select_related("recorded_by").order_by("on", "recorded_at", "pk")
    )
    episode_list = list(
        Episode.objects.visible_to(request.user)
        .filter(child=child)
        .select_related("referral", "opened_by")
        .prefetch_related(Prefetch("events", queryset=events))
    )
    transitions = list(
        Transition.objects.visible_to(request.user)
        .filter(child=child)
        .select_related("from_practitioner", "to_practitioner")
        .annotate(
            items=Count("checklist", distinct=True),
            items_done=Count("checklist", filter=Q(checklist__done_on__isnull=False), distinct=True),
        )
    )
    current = next((e for e in episode_list if e.is_current), None)
    last_closed = None if current else next((e for e in episode_list if e.status == EpisodeStatus.CLOSED), None)
    since = timezone.localdate() - datetime.timedelta(days=RECENT_PLACEMENT_DAYS)
    placements_to_plan = list(
        Placement.objects.visible_to(request.user)
        .filter(child=child, start_date__gte=since, transitions__isnull=True)
        .select_related("local_authority_area")
        .order_by("-start_date")
    )
    record(
        actor=request.user,
        action=Action.LIST,
        child_id=child.pk,
        route=_route(request, child),
        detail={"page": "episodes", "episodes": len(episode_list), "transitions": len(transitions)},
    )
    return render(
        request,
        "episodes/episodes.html",
        {
            "child": child,
            "episodes": episode_list,
            "current": current,
            "last_closed": last_closed,
            "transitions": transitions,
            "placements_to_plan": placements_to_plan,
            "adulthood_due": services.adulthood_planning_due(child, transitions),
            "can_write": can_change(request.user, child),
            "adulthood_kind": TransitionKind.ADULTHOOD.value,
        },
    )


def episode_open(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    referrals = Referral.objects.visible_to(request.user).filter(child=child).order_by("-received_at")
    form = OpenEpisodeForm(request.POST if request.method == "POST" else None, referrals=referrals)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_episode(
                by=request.user,
                child=child,
                opened_on=form.cleaned_data["opened_on"],
                opened_from=form.cleaned_data["opened_from"],
                referral=form.cleaned_data.get("referral"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Support was opened."))
            return redirect("episodes:list", child_pk=child.pk)
    record_page_opened(request, child, None, "episode_open")
    return render(request, "episodes/episode_open.html", {"child": child, "form": form})


def episode_change(request: AuthenticatedHttpRequest, episode_pk: int, action: str) -> HttpResponse:
    episode = get_visible_or_404(
        request, Episode.objects.visible_to(request.user).select_related("child"), pk=episode_pk
    )
    child = episode.child
    require_change(request, child)
    stale: Episode | None = None
    if request.method == "POST":
        form = EpisodeEventForm(request.POST, action=action)
        if form.is_valid():
            try:
                services.change_episode(
                    by=request.user,
                    episode=episode,
                    action=action,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=service_values(form, services.EpisodeEventValues),
                )
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    EpisodeEventForm, request.POST, stale, _stale_message("episode"), action=action
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                done = {
                    "pause": _(
                        "Support was paused. Nothing closes by itself: resume it when the young person is ready."
                    ),
                    "resume": _("Support was resumed."),
                    "close": _("Support was closed. The young person can come back without a new referral."),
                    "reopen": _("Support was re-opened."),
                }
                messages.success(request, done[action])
                return redirect("episodes:list", child_pk=child.pk)
    else:
        form = EpisodeEventForm(action=action, initial={"version": episode.version})
    record_page_opened(request, child, episode, f"episode_{action}")
    return render(
        request,
        "episodes/episode_change.html",
        {"child": child, "episode": episode, "form": form, "action": action, "stale": stale},
    )


# --- Transitions ---------------------------------------------------------------------------


def _guess_out_of_county_to_local(request: AuthenticatedHttpRequest, placement: Placement) -> bool:
    """True when the placement before this one was out of county and this one is not."""
    previous = (
        Placement.objects.visible_to(request.user)
        .filter(child_id=placement.child_id, start_date__lt=placement.start_date)
        .select_related("child")
        .order_by("-start_date")
        .first()
    )
    return previous is not None and previous.out_of_county and not placement.out_of_county


def transition_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    source = request.POST if request.method == "POST" else request.GET
    initial: dict[str, Any] = {}
    placement = None
    if source.get("placement", "").isdigit():
        placement = (
            Placement.objects.visible_to(request.user)
            .filter(child=child, pk=source["placement"])
            .select_related("child")
            .first()
        )
    kind = (
        TransitionKind.PLACEMENT_MOVE.value if placement is not None and not source.get("kind") else source.get("kind")
    )
    if kind not in TransitionKind.values:
        kind_form = KindForm(request.GET if "kind" in request.GET else None)
        kind_form.is_valid()
        record_page_opened(request, child, None, "transition_kind")
        return render(request, "episodes/transition_kind.html", {"child": child, "form": kind_form})
    if placement is not None:
        initial.update(
            placement=placement.pk,
            planned_on=placement.start_date,
            out_of_county_to_local=_guess_out_of_county_to_local(request, placement),
        )
    if kind == TransitionKind.PRACTITIONER_CHANGE:
        lead = child.care_team.filter(ended_at__isnull=True, role="lead").select_related("user").first()
        if lead is not None:
            initial["from_practitioner"] = lead.user_id
    form = TransitionForm(request.POST if request.method == "POST" else None, child=child, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = service_values(form, services.TransitionValues)
        try:
            transition = services.create_transition(
                by=request.user,
                child=child,
                kind=kind,
                values=values,
                trusted_adults=form.cleaned_data.get("trusted_adults") or [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The transition was planned. Its checklist is below."))
            return redirect("episodes:transition_detail", transition_pk=transition.pk)
    record_page_opened(request, child, None, "transition_create")
    return render(
        request,
        "episodes/transition_form.html",
        {"child": child, "form": form, "kind": kind, "kind_label": TransitionKind(kind).label, "creating": True},
    )


def _transition(request: AuthenticatedHttpRequest, transition_pk: int) -> Transition:
    return get_visible_or_404(
        request,
        Transition.objects.visible_to(request.user).select_related(
            "child",
            "placement__local_authority_area",
            "from_practitioner",
            "to_practitioner",
            "created_by",
            "completed_by",
            "care_team_changed_by",
        ),
        pk=transition_pk,
    )


def _detail_context(request: AuthenticatedHttpRequest, transition: Transition, **extra: Any) -> dict[str, Any]:
    child = transition.child
    items = list(
        TransitionChecklistItem.objects.visible_to(request.user).filter(transition=transition).select_related("done_by")
    )
    can_write = can_change(request.user, child)
    context = {
        "child": child,
        "transition": transition,
        "items": items,
        "items_done": sum(1 for item in items if item.is_done),
        "trusted_adults": list(transition.trusted_adults.all()),
        "can_write": can_write and not transition.is_done,
        "can_change_care_team": transition.care_team_change_pending and can_manage_care_team(request.user, child),
        # Once the care team has changed, the leaving worker's booked sessions are offered for moving.
        "sessions_to_move": list(services.sessions_to_move(transition))
        if can_write and transition.is_done and not transition.care_team_change_pending
        else [],
        "item_form": ChecklistItemForm(initial={"version": transition.version}),
        "ticked": None,
        "checklist_errors": [],
        "version": transition.version,
    }
    context.update(extra)
    return context


def transition_detail(request: AuthenticatedHttpRequest, transition_pk: int) -> HttpResponse:
    """The transition and its checklist. POST saves the ticks (the checklist form)."""
    transition = _transition(request, transition_pk)
    child = transition.child
    if request.method == "POST":
        require_change(request, child)
        form = ChecklistForm(request.POST)
        form.is_valid()  # never invalid: unreadable ids are dropped, a missing version is 0
        try:
            services.tick_checklist(
                by=request.user,
                transition=transition,
                expected_version=form.cleaned_data.get("version") or 0,
                done_ids=form.cleaned_data.get("done") or [],
            )
        except StaleEditError as exc:
            # Keep the ticks as sent; show the checklist as saved now; the next save is based on it.
            current = _transition(request, exc.current.pk)
            form = rebind_after_stale_save(ChecklistForm, request.POST, current, _stale_message("checklist"))
            context = _detail_context(
                request,
                current,
                ticked=form.ticked(),
                checklist_errors=form.non_field_errors(),
                version=form["version"].value(),
            )
            return render(request, "episodes/transition_detail.html", context)
        except ValidationError as exc:
            context = _detail_context(request, transition, ticked=form.ticked(), checklist_errors=exc.messages)
            return render(request, "episodes/transition_detail.html", context)
        messages.success(request, _("The checklist was saved."))
        return redirect("episodes:transition_detail", transition_pk=transition.pk)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=transition,
        child_id=child.pk,
        route=_route(request, child),
    )
    return render(request, "episodes/transition_detail.html", _detail_context(request, transition))


@require_POST
def checklist_add(request: AuthenticatedHttpRequest, transition_pk: int) -> HttpResponse:
    transition = _transition(request, transition_pk)
    require_change(request, transition.child)
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_checklist_item(
                by=request.user,
                transition=transition,
                expected_version=form.cleaned_data.get("version") or 0,
                text=form.cleaned_data["text"],
                text_language=form.cleaned_data["text_language"],
            )
        except StaleEditError as exc:
            current = _transition(request, exc.current.pk)
            form = rebind_after_stale_save(ChecklistItemForm, request.POST, current, _stale_message("checklist"))
            return render(request, "episodes/transition_detail.html", _detail_context(request, current, item_form=form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The item was added to the checklist."))
            return redirect("episodes:transition_detail", transition_pk=transition.pk)
    return render(request, "episodes/transition_detail.html", _detail_context(request, transition, item_form=form))


def transition_edit(request: AuthenticatedHttpRequest, transition_pk: int) -> HttpResponse:
    transition = _transition(request, transition_pk)
    child = transition.child
    if not can_change(request.user, child) or transition.is_done:
        raise PermissionDenied
    stale: Transition | None = None
    if request.method == "POST":
        form = TransitionForm(request.POST, instance=copy.copy(transition), child=child, kind=transition.kind)
        if form.is_valid():
            values = service_values(form, services.TransitionValues)
            try:
                services.update_transition(
                    by=request.user,
                    transition=transition,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=values,
                    trusted_adults=form.cleaned_data.get("trusted_adults") if "trusted_adults" in form.fields else None,
                )
            except StaleEditError as exc:
                stale = _transition(request, exc.current.pk)
                form = rebind_after_stale_save(
                    TransitionForm, request.POST, stale, _stale_message("transition"), child=child, kind=transition.kind
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("episodes:transition_detail", transition_pk=transition.pk)
    else:
        form = TransitionForm(
            instance=transition, child=child, kind=transition.kind, initial={"version": transition.version}
        )
    record_page_opened(request, child, transition, "transition_edit")
    return render(
        request,
        "episodes/transition_form.html",
        {
            "child": child,
            "form": form,
            "kind": transition.kind,
            "kind_label": transition.get_kind_display(),
            "transition": transition,
            "stale": stale,
        },
    )


def transition_complete(request: AuthenticatedHttpRequest, transition_pk: int) -> HttpResponse:
    transition = _transition(request, transition_pk)
    child = transition.child
    if not can_change(request.user, child) or transition.is_done:
        raise PermissionDenied
    stale: Transition | None = None
    if request.method == "POST":
        form = CompleteTransitionForm(request.POST, transition=transition)
        if form.is_valid():
            try:
                done = services.complete_transition(
                    by=request.user,
                    transition=transition,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=service_values(form, services.CompletionValues),
                )
            except StaleEditError as exc:
                stale = _transition(request, exc.current.pk)
                form = rebind_after_stale_save(
                    CompleteTransitionForm, request.POST, stale, _stale_message("transition"), transition=stale
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The transition is complete."))
                if done.care_team_change_pending:
                    messages.info(request, _("Waiting for a manager to change the care team."))
                elif done.is_practitioner_change:
                    messages.info(request, _("The care team was changed."))
                return redirect("episodes:transition_detail", transition_pk=transition.pk)
    else:
        initial = {"version": transition.version, "handover_summary": transition.handover_summary}
        if transition.to_practitioner_id:
            initial["to_practitioner"] = transition.to_practitioner_id
        form = CompleteTransitionForm(transition=transition, initial=initial)
    undone = [
        item
        for item in TransitionChecklistItem.objects.visible_to(request.user).filter(transition=transition)
        if not item.is_done
    ]
    record_page_opened(request, child, transition, "transition_complete")
    return render(
        request,
        "episodes/transition_complete.html",
        {
            "child": child,
            "transition": transition,
            "form": form,
            "undone": undone,
            "stale": stale,
            "is_manager": can_manage_care_team(request.user, child),
        },
    )


@require_POST
def transition_care_team(request: AuthenticatedHttpRequest, transition_pk: int) -> HttpResponse:
    """A service manager makes the care-team change a completed change of practitioner needs."""
    transition = _transition(request, transition_pk)
    try:
        services.apply_care_team_change(by=request.user, transition=transition)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The care team was changed."))
    return redirect("episodes:transition_detail", transition_pk=transition.pk)


@require_POST
def transition_sessions(request: AuthenticatedHttpRequest, transition_pk: int) -> HttpResponse:
    """Move the leaving worker's chosen booked sessions to the new practitioner."""
    transition = _transition(request, transition_pk)
    require_change(request, transition.child)
    ids = [int(value) for value in request.POST.getlist("contacts") if value.isdigit()]
    moved = services.move_sessions(by=request.user, transition=transition, contact_ids=ids)
    messages.success(
        request,
        ngettext("%(count)s booked session was moved.", "%(count)s booked sessions were moved.", moved)
        % {"count": moved},
    )
    return redirect("episodes:transition_detail", transition_pk=transition.pk)


# --- Timeline ------------------------------------------------------------------------------


def timeline(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    filtered = request.GET.get("filtered") == "1"
    chosen = [kind for kind in request.GET.getlist("kind") if kind in timeline_module.KINDS]
    kinds = set(chosen) if filtered else set(timeline_module.KINDS)
    show_all = request.GET.get("range") == "all"
    since = None if show_all else timezone.localdate() - datetime.timedelta(days=timeline_module.DEFAULT_DAYS)
    newest_first = request.GET.get("order") != "oldest"
    page_text = request.GET.get("page", "1")
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 10_000 else 1
    entries, has_more = timeline_module.build(
        user=request.user, child=child, kinds=kinds, since=since, page=page, newest_first=newest_first
    )
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        route=_route(request, child),
        detail={
            "page": "timeline",
            "kinds": sorted(kinds),
            "all": show_all,
            "shown": len(entries),
            "page_number": page,
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "episodes/timeline.html",
        {
            "child": child,
            "entries": entries,
            "kinds": [(key, label, key in kinds) for key, label in timeline_module.KINDS.items()],
            "show_all": show_all,
            "since": since,
            "newest_first": newest_first,
            "page": page,
            "has_more": has_more,
            "query": query.urlencode(),
            "nothing_chosen": filtered and not kinds,
        },
    )
