"""Consent and sharing pages. Thin: the child (and its consents and safeguarding shares) are
reached only through ``visible_to`` – the whole record, never the shared parts – so a stranger or
a recipient of a share gets 404; every write goes through ``consent.services``, which checks who
may do it (403) and every rule; every page of personal data is audited.

Nothing here decides access to the shared parts: ``consent.access`` reads what these pages
store, so a withdrawal or an expiry takes effect at once everywhere.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record, record_list
from consent import services
from consent.forms import ConsentForm, RefusalForm, SafeguardingDecisionForm, SafeguardingShareForm, WithdrawForm
from consent.models import ConsentDecision, SafeguardingShare, SafeguardingStatus, SharingRefusal
from core.forms import add_service_errors, service_values
from core.http import AuthenticatedHttpRequest
from people.access import audit_route, can_change, get_visible_or_404, record_page_opened, require_change
from people.models import Child

RECENT_DECISIONS = 20


def _child(request: AuthenticatedHttpRequest, child_pk: int) -> Child:
    """The whole record, if this user may see it; otherwise 404 (never confirm it exists)."""
    return get_visible_or_404(request, Child.objects.visible_to(request.user).select_related("service"), pk=child_pk)


def _route(request: AuthenticatedHttpRequest, child: Child) -> str:
    return audit_route(request.user, child)


# --- Consent ---------------------------------------------------------------------------------


def consent_list(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    consents = list(
        ConsentDecision.objects.visible_to(request.user)
        .filter(child=child)
        .select_related("recipient_organisation", "recorded_by", "withdrawn_by")
    )
    shares = list(
        SafeguardingShare.objects.visible_to(request.user)
        .filter(child=child)
        .select_related("recipient_organisation", "requested_by", "decided_by")
    )
    for share in shares:
        share.what_labels = services.what_labels(share)
    refusals = list(
        SharingRefusal.objects.visible_to(request.user)
        .filter(child=child)
        .select_related("recipient_organisation", "recorded_by", "ended_by_consent")
    )
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        route=_route(request, child),
        detail={"page": "consent", "consents": len(consents), "safeguarding": len(shares), "refusals": len(refusals)},
    )
    return render(
        request,
        "consent/consent_list.html",
        {
            "child": child,
            "current": [c for c in consents if c.withdrawn_at is None],
            "withdrawn": [c for c in consents if c.withdrawn_at is not None],
            "shares": shares,
            "refusals": [r for r in refusals if r.active],
            "ended_refusals": [r for r in refusals if not r.active],
            "can_record": can_change(request.user, child),
            "via_break_glass": _route(request, child) == Route.BREAK_GLASS,
        },
    )


def consent_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    form = ConsentForm(request.POST if request.method == "POST" else None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.record_consent(
                by=request.user, child=child, values=service_values(form, services.ConsentValues)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent decision was recorded."))
            return redirect("consent:detail", consent_pk=consent.pk)
    record_page_opened(request, child, None, "consent_create")
    return render(
        request,
        "consent/consent_form.html",
        {
            "form": form,
            "child": child,
            "age": child.age,
            "presumed_age": services.AGE_PRESUMED_COMPETENT,
            # Shown before anything is typed: a consent must not quietly undo a refusal.
            "refusals": SharingRefusal.objects.visible_to(request.user)
            .active()
            .filter(child=child)
            .select_related("recipient_organisation"),
        },
    )


def refusal_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    """Record that the young person does not agree to share with someone."""
    child = _child(request, child_pk)
    require_change(request, child)
    form = RefusalForm(request.POST if request.method == "POST" else None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            refusal = services.record_refusal(
                by=request.user, child=child, values=service_values(form, services.RefusalValues)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Recorded: the young person does not agree to share with %(recipient)s.")
                % {"recipient": refusal.recipient_label},
            )
            return redirect("consent:list", child_pk=child.pk)
    record_page_opened(request, child, None, "refusal_create")
    return render(request, "consent/refusal_form.html", {"form": form, "child": child})


def _history(consent: ConsentDecision) -> list[dict[str, Any]]:
    """Each saved state of the decision: who, when, and which answers changed (to what)."""
    entries = []
    for entry in consent.history.select_related("history_user").order_by("history_date", "history_id"):
        previous = entry.prev_record
        changes = []
        if previous is not None:
            for change in entry.diff_against(previous).changes:
                # simple-history diffs concrete fields only (never a reverse relation).
                field = cast(Field, ConsentDecision._meta.get_field(change.field))
                changes.append({"field": capfirst(field.verbose_name), "new": _display(entry.instance, field.name)})
        entries.append({"entry": entry, "created": previous is None, "changes": changes})
    return list(reversed(entries))


def _display(instance: ConsentDecision, name: str) -> str:
    """A readable value for one field of a historical state."""
    value = getattr(instance, name)
    if value in (None, "", []):
        return "–"
    if name == "purposes":
        return ", ".join(instance.purpose_labels())
    if name in ("items", "sections"):
        return ", ".join(instance.item_labels())
    display = getattr(instance, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if hasattr(value, "hour"):
        return formats.date_format(value, "j F Y H:i")
    if hasattr(value, "year"):
        return formats.date_format(value, "j F Y")
    return str(value)


def consent_detail(request: AuthenticatedHttpRequest, consent_pk: int) -> HttpResponse:
    consent = get_visible_or_404(
        request,
        ConsentDecision.objects.visible_to(request.user).select_related(
            "child", "recipient_organisation", "recorded_by", "withdrawn_by"
        ),
        pk=consent_pk,
    )
    child = consent.child
    record(actor=request.user, action=Action.VIEW, obj=consent, child_id=child.pk, route=_route(request, child))
    can_record = can_change(request.user, child)
    return render(
        request,
        "consent/consent_detail.html",
        {
            "consent": consent,
            "child": child,
            "history": _history(consent),
            "can_withdraw": can_record and consent.withdrawn_at is None,
            "age_when_given": child.age_on(consent.given_on),
        },
    )


def consent_withdraw(request: AuthenticatedHttpRequest, consent_pk: int) -> HttpResponse:
    consent = get_visible_or_404(
        request,
        ConsentDecision.objects.visible_to(request.user).select_related("child", "recipient_organisation"),
        pk=consent_pk,
    )
    child = consent.child
    require_change(request, child)
    if consent.withdrawn_at is not None:
        # Withdrawing twice changes nothing: say so and show the decision.
        messages.info(request, _("This consent was already withdrawn. Nothing was changed."))
        return redirect("consent:detail", consent_pk=consent.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_consent(
            by=request.user,
            consent=consent,
            note=form.cleaned_data["note"],
            young_person_words=form.cleaned_data["young_person_words"],
            text_language=form.cleaned_data["text_language"],
        )
        messages.success(
            request,
            _("The consent was withdrawn. %(recipient)s can no longer see what it covered.")
            % {"recipient": consent.recipient_label},
        )
        return redirect("consent:detail", consent_pk=consent.pk)
    record_page_opened(request, child, consent, "consent_withdraw")
    return render(request, "consent/consent_withdraw.html", {"form": form, "consent": consent, "child": child})


# --- Safeguarding shares ----------------------------------------------------------------------


def safeguarding_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    child = _child(request, child_pk)
    require_change(request, child)
    form = SafeguardingShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.request_safeguarding_share(
                by=request.user, child=child, values=service_values(form, services.SafeguardingShareValues)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request was sent. Nothing is shared until another service manager approves it."),
            )
            return redirect("consent:safeguarding_detail", safeguarding_pk=share.pk)
    record_page_opened(request, child, None, "safeguarding_create")
    return render(request, "consent/safeguarding_form.html", {"form": form, "child": child})


def safeguarding_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Service managers: requests waiting for a decision, and recent decisions, in their service."""
    user = request.user
    if user.role != Role.SERVICE_MANAGER or not user.organisation_id:
        raise PermissionDenied
    in_service = SafeguardingShare.objects.visible_to(user).filter(child__service_id=user.organisation_id)
    related = ("child", "recipient_organisation", "requested_by", "decided_by")
    waiting = list(services.safeguarding_waiting(user).select_related(*related).order_by("requested_at"))
    decided = list(
        in_service.exclude(status=SafeguardingStatus.REQUESTED)
        .select_related(*related)
        .order_by("-decided_at")[:RECENT_DECISIONS]
    )
    record_list(
        actor=user,
        page="safeguarding_review",
        children=[share.child_id for share in waiting + decided],
        route=Route.UI,
        waiting=len(waiting),
        decided=len(decided),
    )
    return render(request, "consent/safeguarding_review.html", {"waiting": waiting, "decided": decided})


def safeguarding_detail(request: AuthenticatedHttpRequest, safeguarding_pk: int) -> HttpResponse:
    share = get_visible_or_404(
        request,
        SafeguardingShare.objects.visible_to(request.user).select_related(
            "child", "recipient_organisation", "requested_by", "decided_by"
        ),
        pk=safeguarding_pk,
    )
    child = share.child
    share.what_labels = services.what_labels(share)
    user = request.user
    is_requester = share.requested_by_id == user.pk
    can_decide = services.can_decide_safeguarding(user, share) and share.status == SafeguardingStatus.REQUESTED
    form = None
    if request.method == "POST":
        if not services.can_decide_safeguarding(user, share):
            # Including the requester: nobody approves their own request.
            raise PermissionDenied
        if share.status != SafeguardingStatus.REQUESTED:
            messages.error(request, _("This request has already been decided. Nothing was changed."))
            return redirect("consent:safeguarding_detail", safeguarding_pk=share.pk)
        form = SafeguardingDecisionForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.decide_safeguarding_share(
                    by=user,
                    share=share,
                    approve=approve,
                    note=form.cleaned_data["note"],
                    text_language=form.cleaned_data["text_language"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if approve:
                    messages.success(
                        request,
                        _("You approved the share. %(recipient)s can see what it covers until %(date)s.")
                        % {
                            "recipient": share.recipient_organisation,
                            "date": formats.date_format(share.expires_on, "j F Y"),
                        },
                    )
                else:
                    messages.success(request, _("You did not approve the share. Nothing was shared."))
                return redirect("consent:safeguarding_detail", safeguarding_pk=share.pk)
    elif can_decide:
        form = SafeguardingDecisionForm()
    record(actor=user, action=Action.VIEW, obj=share, child_id=child.pk, route=_route(request, child))
    return render(
        request,
        "consent/safeguarding_detail.html",
        {
            "share": share,
            "child": child,
            "form": form if can_decide or request.method == "POST" else None,
            "is_requester": is_requester,
            "is_manager_here": user.role == Role.SERVICE_MANAGER and user.organisation_id == child.service_id,
        },
    )
