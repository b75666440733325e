"""Referral pages. Records come through ``visible_to``; writes through ``referrals.services``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import SPACE_ROLES, Organisation, OrganisationType, Role
from audit.models import Action
from audit.models import Route as AuditRoute
from audit.services import record, record_list
from core.forms import add_service_errors, service_values
from core.http import AuthenticatedHttpRequest
from core.net import client_address
from people.access import audit_route, get_visible_or_404
from people.models import Child
from referrals import services
from referrals.forms import (
    AllocationForm,
    DecisionForm,
    DirectoryServiceForm,
    InitialConsultationForm,
    LinkChildForm,
    PriorityAdjustmentForm,
    PublicReferralForm,
    ReferralForm,
    WeightsForm,
)
from referrals.models import DirectoryService, Referral, Route, Status
from referrals.priority import FACTORS

STAFF_ROLES = (Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER)


def _receiving_service(user, local_authority: Organisation | None) -> Organisation:
    """Staff refer into their own service; others to the service for the child's region."""
    if (
        user is not None
        and user.is_authenticated
        and user.organisation
        and user.organisation.type == OrganisationType.SERVICE
    ):
        return user.organisation
    services_qs = Organisation.objects.filter(type=OrganisationType.SERVICE, is_active=True).order_by("pk")
    if local_authority is not None and local_authority.region_id:
        regional = services_qs.filter(region_id=local_authority.region_id).first()
        if regional:
            return regional
    service = services_qs.first()
    if service is None:
        raise PermissionDenied  # no service is configured to receive referrals
    return service


def _manager_of(request: AuthenticatedHttpRequest, referral: Referral) -> bool:
    return request.user.role == Role.SERVICE_MANAGER and request.user.organisation_id == referral.service_id


def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not request.user.role:
        raise PermissionDenied
    status = request.GET.get("status", "")
    referrals = Referral.objects.visible_to(request.user).select_related("service")
    if status in Status.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    record_list(
        actor=request.user,
        page="referrals",
        children=[referral.child_id for referral in page.object_list],
        route=AuditRoute.UI,
        referrals=sorted(referral.pk for referral in page.object_list),
        status=status,
    )
    can_import = request.user.role in (Role.SERVICE_MANAGER, Role.DUTY_WORKER)
    return render(
        request,
        "referrals/referral_list.html",
        {"page": page, "status": status, "statuses": Status.choices, "can_import": can_import},
    )


def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in professional can refer; staff can also record a phone or walk-in referral."""
    if request.user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR) or not request.user.role:
        raise PermissionDenied
    if request.method == "POST":
        form = ReferralForm(request.POST)
        if form.is_valid():
            data = form.referral_data()
            route = (
                Route.PARTNER
                if request.user.role == Role.PARTNER
                else (Route.PHONE if request.POST.get("on_behalf") else Route.STAFF)
            )
            service = _receiving_service(request.user, data.get("responsible_local_authority"))
            referral, created = services.submit_referral(
                data=data,
                route=route,
                service=service,
                idempotency_key=services.content_key("form", data, service=service, by=request.user),
                by=request.user,
            )
            if created:
                messages.success(request, _("Referral %(reference)s was received.") % {"reference": referral.reference})
            return redirect("referrals:sent", reference=referral.reference)
    else:
        form = ReferralForm(
            initial={
                "referrer_name": request.user.get_full_name(),
                "referrer_organisation": str(request.user.organisation or ""),
                "referrer_email": request.user.email,
            }
        )
    return render(request, "referrals/referral_form.html", {"form": form, "is_staff": request.user.role in STAFF_ROLES})


def referral_sent(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    referral = get_visible_or_404(request, Referral.objects.visible_to(request.user), reference=reference)
    return render(
        request,
        "referrals/referral_sent.html",
        {"referral": referral, "days": settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS},
    )


@login_not_required
def public_referral(request: HttpRequest) -> HttpResponse:
    """No account needed: carers and young people. Limited per address (moving window shared by
    every process) and once per opened form (see services.submit_public_referral)."""
    # Staff refer through their own form; a young person or carer signed in to their space
    # refers here like anyone else.
    if request.user.is_authenticated and request.user.role and request.user.role not in SPACE_ROLES:
        return redirect("referrals:create")
    if request.method == "POST":
        form = PublicReferralForm(request.POST)
        if form.is_valid():
            data = form.referral_data()
            service = _receiving_service(None, data.get("responsible_local_authority"))
            referral, outcome = services.submit_public_referral(
                data=data,
                service=service,
                form_token=form.cleaned_data["started"],
                client_address=client_address(request),
            )
            if outcome is services.PublicOutcome.LIMITED:
                return render(request, "referrals/public_too_many.html", status=429)
            if outcome is services.PublicOutcome.TOKEN_REUSED or referral is None:  # the outcomes without a referral
                form.add_error(
                    None,
                    _(
                        "This form was already sent with different answers. Your answers are kept below: check them and send them as a new request."
                    ),
                )
                # A fresh token for the new request; everything typed stays as it was.
                data = request.POST.copy()
                data["started"] = PublicReferralForm.new_started_token()
                form.data = data
                return render(request, "referrals/public_form.html", {"form": form})
            # Post/redirect/get: reloading the thank-you page sends nothing again.
            request.session["public_referral_reference"] = referral.reference
            request.session["public_referral_repeat"] = outcome is services.PublicOutcome.ALREADY_RECEIVED
            return redirect("public_referral_sent")
        # Keep the original start time so a correction is not mistaken for a robot.
    else:
        form = PublicReferralForm(initial={"started": PublicReferralForm.new_started_token()})
    return render(request, "referrals/public_form.html", {"form": form})


@login_not_required
def public_referral_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get("public_referral_reference")
    if not reference:
        return redirect("public_referral")
    return render(
        request,
        "referrals/public_sent.html",
        {
            "reference": reference,
            "repeat": request.session.get("public_referral_repeat", False),
            "days": settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS,
        },
    )


def _detail_context(
    request: AuthenticatedHttpRequest, referral: Referral, link_form: LinkChildForm | None = None
) -> dict:
    is_manager = _manager_of(request, referral)
    candidates, open_matches = [], []
    if is_manager and referral.child_id is None:
        candidates = services.candidates_for(referral, request.user)
        open_matches = services.similar_open_referrals(referral, request.user)
    decisions = list(
        referral.decisions.select_related("decided_by", "directory_service").order_by("-decided_at", "-pk")
    )
    for decision in decisions:
        decision.message_html = services.referrer_message_html(decision)
    return {
        "referral": referral,
        # The linked record is named only to those who may open it: a referrer outside the
        # child's scope is told it was linked, never the record's name (issue 11 §5).
        "linked_child": (
            referral.child
            if referral.child_id is not None
            and Child.objects.visible_to(request.user).filter(pk=referral.child_id).exists()
            else None
        ),
        "eligibility": services.eligibility(referral),
        "decisions": decisions,
        "is_manager": is_manager,
        "candidates": candidates,
        "open_matches": open_matches,
        "link_form": link_form,
        # base.html marks the title "Error:" when the page's form has errors.
        "form": link_form,
        "chosen_child": link_form.data.get("child", "") if link_form is not None else "",
        "chosen_authority": link_form.data.get("responsible_local_authority", "") if link_form is not None else "",
        "local_authorities": (
            Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY).order_by("name_en")
            if is_manager and referral.child_id is None and referral.responsible_local_authority_id is None
            else None
        ),
        "adjust_form": PriorityAdjustmentForm(
            initial={
                "points": referral.priority_adjustment,
                "reason": referral.priority_adjustment_reason,
                # The recorded language when there is one; else the mixin's default (the interface's).
                **(
                    {"text_language": referral.priority_adjustment_language}
                    if referral.priority_adjustment_language
                    else {}
                ),
            }
        )
        if is_manager
        else None,
        "can_consult": request.user.organisation_id == referral.service_id and request.user.role in STAFF_ROLES,
    }


def _detail_queryset(request: AuthenticatedHttpRequest) -> QuerySet[Referral]:
    return Referral.objects.visible_to(request.user).select_related(
        "service", "child", "responsible_local_authority", "referred_by"
    )


def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_visible_or_404(request, _detail_queryset(request), pk=pk)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=referral,
        child_id=referral.child_id,
        route=audit_route(request.user, referral.child_id),
    )
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral))


@require_POST
def referral_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_visible_or_404(request, _detail_queryset(request), pk=pk)
    if not _manager_of(request, referral):
        raise PermissionDenied
    form = LinkChildForm(request.POST)
    if form.is_valid() and form.cleaned_data["child"] == "new":
        authority = (
            form.cleaned_data["responsible_local_authority"]
            if referral.responsible_local_authority_id is None
            else None
        )
        try:
            services.create_child_for(by=request.user, referral=referral, local_authority=authority)
        except ValidationError as error:
            form.add_error("responsible_local_authority", error.messages)
        else:
            messages.success(request, _("A new record was opened for this child and linked to the referral."))
            return redirect("referrals:detail", pk=referral.pk)
    elif form.is_valid():
        child = get_visible_or_404(request, Child.objects.visible_to(request.user), pk=form.cleaned_data["child"])
        services.link_child(by=request.user, referral=referral, child=child)
        messages.success(request, _("The referral was linked to the existing record."))
        return redirect("referrals:detail", pk=referral.pk)
    # Nothing chosen (or no local authority for a new record): the page again, with the error
    # and what was chosen, as the GOV.UK pattern asks (was a bare 404).
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral, link_form=form))


def _record_opened(request: AuthenticatedHttpRequest, referral: Referral, page: str) -> None:
    """A decision or allocation form shows the referral (and the child): opening it is a read."""
    if request.method == "GET":
        record(
            actor=request.user,
            action=Action.VIEW,
            obj=referral,
            child_id=referral.child_id,
            detail={"page": page},
            route=audit_route(request.user, referral.child_id),
        )


def referral_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_visible_or_404(request, Referral.objects.visible_to(request.user), pk=pk)
    if not _manager_of(request, referral):
        raise PermissionDenied
    form = DecisionForm(request.POST or None, letter_language=referral.referrer_language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contacted = data.get("handover_contacted_on")
        try:
            services.decide(
                by=request.user,
                referral=referral,
                outcome=data["outcome"],
                reason=data["reason"],
                directory_service=data.get("directory_service"),
                handover_contact=data.get("handover_contact", ""),
                handover_contacted_at=timezone.make_aware(datetime.datetime.combine(contacted, datetime.time(12)))
                if contacted
                else None,
                handover_notes=data.get("handover_notes", ""),
                consultation_advice=data.get("consultation_advice", ""),
                reason_language=data["reason_language"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, renamed={"handover_contacted_at": "handover_contacted_on"})
        else:
            messages.success(request, _("The decision was recorded and the referrer will be told."))
            return redirect("referrals:detail", pk=referral.pk)
    _record_opened(request, referral, "decide")
    return render(request, "referrals/decide.html", {"referral": referral, "form": form})


@require_POST
def referral_adjust(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_visible_or_404(request, Referral.objects.visible_to(request.user), pk=pk)
    if not _manager_of(request, referral):
        raise PermissionDenied
    form = PriorityAdjustmentForm(request.POST)
    if form.is_valid():
        try:
            services.adjust_priority(
                by=request.user,
                referral=referral,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                text_language=form.cleaned_data["text_language"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The priority was changed."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("referrals:detail", pk=referral.pk)


def referral_allocate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_visible_or_404(
        request, Referral.objects.visible_to(request.user).select_related("child", "allocated_to"), pk=pk
    )
    if not _manager_of(request, referral):
        raise PermissionDenied
    practitioners = services.allocatable_practitioners(referral.service)
    form = AllocationForm(
        request.POST if request.method == "POST" else None,
        practitioners=practitioners,
        initial={"practitioner": referral.allocated_to_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.allocate(by=request.user, referral=referral, practitioner=form.cleaned_data["practitioner"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The referral was allocated. The practitioner is now in the care team."))
            return redirect("referrals:detail", pk=referral.pk)
    _record_opened(request, referral, "allocate")
    return render(request, "referrals/allocate.html", {"referral": referral, "form": form})


def initial_consultation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_visible_or_404(request, Referral.objects.visible_to(request.user), pk=pk)
    if request.user.organisation_id != referral.service_id or request.user.role not in STAFF_ROLES:
        raise PermissionDenied
    form = InitialConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_initial_consultation(
                by=request.user, referral=referral, values=service_values(form, services.ConsultationValues)
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The initial consultation was recorded."))
            return redirect("referrals:detail", pk=referral.pk)
    _record_opened(request, referral, "initial_consultation")
    return render(request, "referrals/initial_consultation.html", {"referral": referral, "form": form})


def _service_for_manager(request: AuthenticatedHttpRequest) -> Organisation:
    if (
        request.user.role not in STAFF_ROLES
        or not request.user.organisation
        or request.user.organisation.type != OrganisationType.SERVICE
    ):
        raise PermissionDenied
    return request.user.organisation


def waiting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = _service_for_manager(request)
    entries = services.waiting_list(Referral.objects.visible_to(request.user), service)
    record_list(
        actor=request.user,
        page="waiting_list",
        children=[entry.referral.child_id for entry in entries],
        route=AuditRoute.UI,
        referrals=sorted(entry.referral.pk for entry in entries),
    )
    return render(
        request,
        "referrals/waiting_list.html",
        {
            "entries": entries,
            "overdue": sum(e.consultation_overdue for e in entries),
            "is_manager": request.user.role == Role.SERVICE_MANAGER,
        },
    )


def weights(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = _service_for_manager(request)
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    current, bands = services.weights_for(service)
    initial = {f"w_{name}": value for name, value in current.items()} | {
        "band_high": bands["high"],
        "band_medium": bands["medium"],
    }
    form = WeightsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_weights(
                by=request.user,
                service=service,
                weights={name: data[f"w_{name}"] for name in FACTORS},
                bands={"high": data["band_high"], "medium": data["band_medium"]},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The priority weights were saved."))
            return redirect("referrals:waiting_list")
    return render(request, "referrals/weights.html", {"form": form})


def timeliness(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = _service_for_manager(request)
    if request.user.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    figures = services.timeliness(Referral.objects.visible_to(request.user).filter(service=service))
    return render(
        request,
        "referrals/timeliness.html",
        {"figures": figures, "target": settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS},
    )


def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.role or request.user.role == Role.COMMISSIONER:
        raise PermissionDenied
    entries = DirectoryService.objects.active().prefetch_related("areas")
    return render(
        request, "referrals/directory.html", {"entries": entries, "can_edit": request.user.role == Role.SERVICE_MANAGER}
    )


def directory_edit(request: AuthenticatedHttpRequest, entry_pk: int | None = None) -> HttpResponse:
    if request.user.role != Role.SERVICE_MANAGER:
        raise Http404  # editing pages do not exist for other roles
    entry = get_object_or_404(DirectoryService.objects.all(), pk=entry_pk) if entry_pk else None
    form = DirectoryServiceForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        saved = services.save_directory_entry(by=request.user, form=form)
        messages.success(request, _("%(name)s was saved in the service directory.") % {"name": saved.name})
        return redirect("referrals:directory")
    return render(request, "referrals/directory_form.html", {"form": form, "entry": entry})
