"""The service manager's on-call rota pages: the coming four weeks with the gaps out of hours,
and adding, changing and removing a shift. Thin: the rules are ``myspace.rota``'s. Anyone
but a service manager (and every space account, by the middleware) gets 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from core.errors import StaleEditError
from core.forms import add_service_errors, rebind_after_stale_save
from core.http import AuthenticatedHttpRequest
from myspace import rota
from myspace.forms_rota import RemoveShiftForm, ShiftForm
from myspace.models import OnCallShift

STALE = gettext_lazy(
    "Someone else changed this shift while you were working on it. Nothing has been overwritten: "
    "what you entered is below and has not been saved. Check the shift, then save again."
)


def _service(request: AuthenticatedHttpRequest) -> Organisation:
    service = rota.managed_service(request.user)
    if service is None:
        raise Http404
    return service


def _shift(service: Organisation, shift_pk: int) -> OnCallShift:
    return get_object_or_404(OnCallShift.objects.filter(service=service).select_related("user"), pk=shift_pk)


def rota_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = _service(request)
    start = timezone.now()
    end = start + datetime.timedelta(days=rota.ROTA_DAYS)
    shifts = rota.shifts_between(service, start, end)
    context = {
        "shifts": shifts,
        "gaps": rota.gaps(service, start, end, shifts=shifts),
        "days": rota.ROTA_DAYS,
        "has_staff": rota.on_call_staff(service).exists(),
    }
    return render(request, "myspace/rota/list.html", context)


def shift_edit(request: AuthenticatedHttpRequest, shift_pk: int | None = None) -> HttpResponse:
    service = _service(request)
    shift = _shift(service, shift_pk) if shift_pk is not None else None
    staff = rota.on_call_staff(service)
    form = ShiftForm(request.POST or None, staff=staff, shift=shift)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rota.save_shift(
                by=request.user,
                service=service,
                shift_pk=shift.pk if shift is not None else None,
                expected_version=data.get("version") or 0,
                user=data["user"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, renamed={"starts_at": "start_date", "ends_at": "end_date"})
        except StaleEditError as exc:
            shift = exc.current
            form = rebind_after_stale_save(ShiftForm, request.POST, shift, str(STALE), staff=staff, shift=shift)
        else:
            messages.success(request, _("The shift was saved."))
            return redirect("space_access:rota")
    status = 400 if form.is_bound else 200
    return render(request, "myspace/rota/form.html", {"form": form, "shift": shift}, status=status)


def shift_remove(request: AuthenticatedHttpRequest, shift_pk: int) -> HttpResponse:
    service = _service(request)
    shift = _shift(service, shift_pk)
    form = RemoveShiftForm(request.POST or None, initial={"version": shift.version})
    if request.method == "POST" and form.is_valid():
        try:
            rota.remove_shift(
                by=request.user, service=service, shift_pk=shift.pk, expected_version=form.cleaned_data["version"]
            )
        except StaleEditError as exc:
            # Show the shift as it is now, with its new version: removing it is a fresh choice.
            shift = exc.current
            form = RemoveShiftForm(initial={"version": shift.version})
            return render(request, "myspace/rota/remove.html", {"form": form, "shift": shift, "stale": STALE})
        else:
            messages.success(request, _("The shift was removed."))
            return redirect("space_access:rota")
    return render(request, "myspace/rota/remove.html", {"form": form, "shift": shift})
