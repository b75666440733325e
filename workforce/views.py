"""Workforce pages: the staff list (a manager's whole service; anyone else their own record),
one person's record, and the forms that add to it. Thin: the rules are in services.py.

Staff records reach only managers of the same organisation and the person themselves; any other
user gets a 404 for a person's record (the record's existence is not confirmed).
"""

from __future__ import annotations

import copy
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SERVICE_ROLES, Role, User
from audit.models import Action, Route
from audit.services import record
from contacts.models import ConsultationWith
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save, service_values
from core.http import AuthenticatedHttpRequest
from people.access import get_visible_or_404
from people.models import RelationshipRole
from workforce import services
from workforce.forms import ProfileForm, SupervisionForm, TrainingForm
from workforce.models import (
    PracticeLevel,
    StaffProfile,
    StaffTraining,
    Supervision,
    TrainingTopic,
    WelshLevel,
    is_overdue,
    staff_visible_to,
)

#: The period the figures for professionals outside the service cover.
FIGURES_DAYS = 365


def _staff(request: AuthenticatedHttpRequest, user_pk: int) -> User:
    return get_visible_or_404(request, staff_visible_to(request.user).select_related("organisation"), pk=user_pk)


def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.role not in SERVICE_ROLES or not user.organisation_id:
        raise PermissionDenied
    is_manager = user.role == Role.SERVICE_MANAGER
    levels = dict(PracticeLevel.choices)
    welsh = dict(WelshLevel.choices)
    rows = []
    for person in services.staff_rows(user):
        rows.append(
            {
                "person": person,
                "practice_level": levels.get(person.practice_level or "", ""),
                "welsh_level": welsh.get(person.welsh_level) if person.welsh_level is not None else "",
                "overdue": is_overdue(person.next_supervision),
            }
        )
    context: dict[str, object] = {"rows": rows, "is_manager": is_manager}
    if is_manager:
        since = timezone.localdate() - datetime.timedelta(days=FIGURES_DAYS)
        roles = dict(RelationshipRole.choices)
        service = user.organisation
        if service is None:  # refused above (organisation_id); says so to the type checker
            raise PermissionDenied
        trained = services.professionals_trained(service, since=since)
        consultations = services.consultations_by_professional(service, since=since)
        with_whom = dict(ConsultationWith.choices)
        by_topic = services.staff_trained_by_topic(user)
        context.update(
            since=since,
            trained=[(roles.get(role, role), count) for role, count in sorted(trained.items(), key=lambda i: -i[1])],
            trained_total=sum(trained.values()),
            consultations=[
                (with_whom.get(key, key), count) for key, count in sorted(consultations.items(), key=lambda i: -i[1])
            ],
            consultations_total=sum(consultations.values()),
            by_topic=[
                (label, by_topic.get(value, 0))
                for value, label in TrainingTopic.choices
                if value != TrainingTopic.OTHER
            ],
            overdue_count=sum(1 for row in rows if row["overdue"]),
        )
    record(actor=user, action=Action.LIST, detail={"workforce": True, "shown": len(rows)}, route=Route.UI)
    return render(request, "workforce/staff_list.html", context)


def staff_detail(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    staff = _staff(request, user_pk)
    profile = StaffProfile.objects.visible_to(request.user).filter(user=staff).select_related("updated_by").first()
    trainings = list(StaffTraining.objects.visible_to(request.user).filter(user=staff).select_related("recorded_by"))
    supervisions = list(Supervision.objects.visible_to(request.user).filter(user=staff).select_related("supervisor"))
    latest = supervisions[0] if supervisions else None
    record(actor=request.user, action=Action.VIEW, obj=staff, detail={"page": "staff_record"}, route=Route.UI)
    return render(
        request,
        "workforce/staff_detail.html",
        {
            "staff": staff,
            "profile": profile,
            "trainings": trainings,
            "training_hours": sum(t.hours for t in trainings),
            "supervisions": supervisions,
            "latest": latest,
            "overdue": is_overdue(latest.next_due if latest else None),
            "is_manager": services.is_manager_of(request.user, staff),
            "can_add_training": services.can_add_training(request.user, staff),
            "is_self": staff.pk == request.user.pk,
        },
    )


def profile_edit(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    staff = _staff(request, user_pk)
    if not services.is_manager_of(request.user, staff):
        raise PermissionDenied
    profile = StaffProfile.objects.visible_to(request.user).filter(user=staff).first()
    stale: StaffProfile | None = None
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=copy.copy(profile) if profile else None)
        if form.is_valid():
            values = service_values(form, services.ProfileValues)
            try:
                services.save_profile(
                    by=request.user, staff=staff, expected_version=form.cleaned_data.get("version") or 0, values=values
                )
            except StaleEditError as exc:
                stale = exc.current
                form = rebind_after_stale_save(
                    ProfileForm,
                    request.POST,
                    stale,
                    _(
                        "Someone else changed this staff record while you were editing. Nothing has been "
                        "overwritten: your changes are below and have not been saved. Compare them with the "
                        "saved record, then save again."
                    ),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The staff record was saved."))
                return redirect("workforce:staff_detail", user_pk=staff.pk)
    else:
        form = ProfileForm(instance=profile, initial={"version": profile.version if profile else 0})
    return render(request, "workforce/profile_form.html", {"staff": staff, "form": form, "stale": stale})


def training_create(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    staff = _staff(request, user_pk)
    if not services.can_add_training(request.user, staff):
        raise PermissionDenied
    form = TrainingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_training(by=request.user, staff=staff, values=service_values(form, services.TrainingValues))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The training was recorded."))
            return redirect("workforce:staff_detail", user_pk=staff.pk)
    return render(request, "workforce/training_form.html", {"staff": staff, "form": form})


def supervision_create(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    staff = _staff(request, user_pk)
    if not services.is_manager_of(request.user, staff):
        raise PermissionDenied
    initial = {"held_on": timezone.localdate(), "supervisor": request.user.pk if request.user.pk != staff.pk else None}
    form = SupervisionForm(request.POST if request.method == "POST" else None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_supervision(
                by=request.user, staff=staff, values=service_values(form, services.SupervisionValues)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The supervision was recorded."))
            return redirect("workforce:staff_detail", user_pk=staff.pk)
    return render(request, "workforce/supervision_form.html", {"staff": staff, "form": form})
