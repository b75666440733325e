"""Sign-in with two factors, sign-out and the lockout page."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment, passkeys, throttle
from accounts import services as account_services
from accounts.forms import (
    ApproveForm,
    EnrolForm,
    EnrolmentCodeForm,
    LanguageForm,
    NewUserForm,
    RefuseForm,
    SignInForm,
    TokenForm,
    UserDetailsForm,
)
from accounts.models import Role, User, manageable_users
from accounts.sessions import ENROLMENT_OK, complete_second_factor
from audit.models import Action, Route
from audit.services import record
from core.forms import service_values
from core.http import AuthenticatedHttpRequest


def _safe_next(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return default


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A cooling-off account is refused before the password is looked at, so the answer
        # never tells whether a guess was right.
        cool_off = throttle.cooling_off(request.POST.get("username", ""))
        if cool_off is not None:
            form = self.get_form()
            # Not validated (that would try the password): only this error, the name kept.
            form._errors, form.cleaned_data = ErrorDict(), {}  # type: ignore[attr-defined]  # BaseForm's private state
            form.add_error(
                None,
                ngettext(
                    "There have been too many wrong sign-in attempts for this account. Wait %(minutes)s minute and try again.",
                    "There have been too many wrong sign-in attempts for this account. Wait %(minutes)s minutes and try again.",
                    cool_off.minutes,
                )
                % {"minutes": cool_off.minutes},
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        super().form_valid(form)
        user = form.get_user()
        throttle.record_success(user.username)
        record(actor=user, action=Action.SIGN_IN, obj=user, route=Route.UI)
        # The language chosen on the sign-in form wins and is kept on the account; without one
        # (an older form) go on in the language the account chose before. No cookie: every
        # address carries its language (ADR 010).
        language = form.cleaned_data.get("language") or user.preferred_language
        account_services.set_language(user=user, language=language)
        return HttpResponseRedirect(_in_language(self.get_success_url(), language))


def _in_language(url: str, language: str) -> str:
    """``url`` in ``language``. translate_url resolves with the active language's prefix, so
    resolve in the language the address is in (a next= from an English page, signed in in Welsh)."""
    source = translation.get_language_from_path(urlsplit(url).path) or translation.get_language()
    with translation.override(source):
        return translate_url(url, language)


def your_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in person's own account: their language (saved only by this POST) and a link
    to change the password."""
    user = request.user
    form = LanguageForm(request.POST or None, initial={"preferred_language": user.preferred_language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["preferred_language"]
        account_services.set_language(user=user, language=language)
        with translation.override(language):
            messages.success(request, gettext("Your language was saved."))
            return redirect(reverse("accounts:account"))
    return render(request, "accounts/your_account.html", {"form": form})


@require_POST
def sign_out(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(actor=request.user, action=Action.SIGN_OUT, obj=request.user, route=Route.UI)
    logout(request)
    return redirect("accounts:login")


def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Second step: the code from the authenticator app (TOTP, with django-otp's throttling)."""
    next_url = _safe_next(request, reverse("core:home"))
    if request.user.is_verified():
        return HttpResponseRedirect(next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            complete_second_factor(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", _wrong_code())
    context = {
        "form": form,
        "next": next_url,
        # A passkey is passed by the browser's script (accounts/passkeys.py); the app's code by
        # this form, which works without JavaScript.
        "has_passkey": passkeys.has_passkey(request.user),
        "has_app": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
    }
    return render(request, "accounts/two_factor.html", context)


def _wrong_code() -> str:
    return gettext("The security code is not correct or has expired. Enter the newest code from your app.")


# Set in the session once the holder has given their enrolment code (for that user only).
_ENROLMENT_OK = ENROLMENT_OK


def _wrong_enrolment_code() -> str:
    return gettext(
        "The enrolment code is not correct, has expired or has already been used. After 5 wrong tries a code "
        "stops working: ask your service manager or administrator for a new one."
    )


def _needs_enrolment_code(request: AuthenticatedHttpRequest) -> bool:
    """Setting up an authenticator needs the one-time code besides the password (ADR 009). The
    demo (2FA optional) asks only accounts that were issued a code. Young people and carers have
    no enrolment code: their in-person invitation is what it is for staff, and signs them in to
    set up the second factor (myspace.views.accept). A young person who adds one later is signed
    in; a lost phone is a new invitation, which removes it. One rule for the app and passkeys."""
    return passkeys.needs_enrolment_code(request, request.user)


def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: first the enrolment code, then scan the QR code (or type
    the key) and confirm a code from the app."""
    next_url = _safe_next(request, reverse("core:home"))
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two_factor")
    if not user.is_verified() and user_has_device(user, confirmed=True):
        # A passkey is set up: it must be passed before anything else is added.
        return redirect(f"{reverse('accounts:two_factor')}?{_next_query(next_url)}")
    if _needs_enrolment_code(request):
        code_form = EnrolmentCodeForm(request.POST or None)
        if request.method == "POST" and code_form.is_valid():
            if enrolment.redeem(user, code_form.cleaned_data["code"]):
                request.session[_ENROLMENT_OK] = user.pk
                return redirect(f"{reverse('accounts:two_factor_setup')}?{_next_query(next_url)}")
            code_form.add_error("code", _wrong_enrolment_code())
        return render(request, "accounts/enrolment_code.html", {"form": code_form, "next": next_url})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop(_ENROLMENT_OK, None)
            complete_second_factor(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", _wrong_code())
    secret = base64.b32encode(device.bin_key).decode("ascii")
    qr = segno.make(device.config_url, error="m")
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#0b0c0c"),
        "next_query": _next_query(next_url),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _next_query(next_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


@login_not_required
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a new account: user name, enrolment code and a password of the holder's
    choosing; then the authenticator set-up. The same answer for an unknown user name and a
    wrong code, so the page tells nobody which accounts exist."""
    if request.user.is_authenticated:
        return redirect("accounts:two_factor_setup")
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username__iexact=form.cleaned_data["username"].strip(), is_active=True).first()
        if user is not None and not user.has_usable_password() and enrolment.redeem(user, form.cleaned_data["code"]):
            user.set_password(form.cleaned_data["password1"])
            user.save(update_fields=["password"])
            record(actor=user, action=Action.UPDATE, obj=user, detail={"first_password_set": True}, route=Route.UI)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            record(actor=user, action=Action.SIGN_IN, obj=user, detail={"enrolment": True}, route=Route.UI)
            request.session[_ENROLMENT_OK] = user.pk
            # On in the language the account has (the address carries it: nothing is stored).
            return HttpResponseRedirect(_in_language(reverse("accounts:two_factor_setup"), user.preferred_language))
        form.add_error("code", _wrong_enrolment_code())
    return render(request, "accounts/enrol.html", {"form": form})


@login_not_required
def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this after too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# --- Account administration (administrators only; everyone else gets 404, as for records).


def _require_administrator(request: AuthenticatedHttpRequest) -> None:
    if request.user.role != Role.ADMINISTRATOR:
        raise Http404


def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    query = request.GET.get("q", "").strip()[:100]
    users = manageable_users(request.user).select_related("organisation").order_by("last_name", "first_name")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(organisation__name_en__icontains=query)
            | Q(organisation__name_cy__icontains=query)
        )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


def _waiting_message(account: User) -> str:
    return gettext(
        "The change of access for %(name)s is waiting for approval by a service manager. It takes effect only when they approve it."
    ) % {"name": account}


def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = NewUserForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        user, access_request = account_services.create_user(
            by=request.user, values=service_values(form, account_services.NewAccountValues)
        )
        messages.success(request, gettext("The account for %(name)s was created.") % {"name": user})
        if access_request is not None:
            messages.info(request, _waiting_message(user))
        elif user.is_active:
            messages.info(
                request,
                gettext("An enrolment code was emailed to %(name)s to choose a password and set up sign-in.")
                % {"name": user},
            )
        return redirect("accounts:user_edit", user_pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


def user_edit(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    account = get_object_or_404(manageable_users(request.user), pk=user_pk)
    form = UserDetailsForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            _, access_request = account_services.update_user(
                by=request.user,
                user=manageable_users(request.user).get(pk=account.pk),
                values=service_values(form, account_services.AccountValues),
            )
        except account_services.SelfChangeRefused as refused:
            form.add_error("role", str(refused.args[0]))
        else:
            messages.success(request, gettext("Your changes were saved."))
            if access_request is not None:
                messages.info(request, _waiting_message(account))
            return redirect("accounts:user_edit", user_pk=account.pk)
    has_device = user_has_device(account, confirmed=True)  # an app or a passkey
    context = {
        "form": form,
        "account": account,
        "has_device": has_device,
        "pending": account_services.pending_request(account),
    }
    return render(request, "accounts/user_form.html", context)


@require_POST
def user_reset_two_factor(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    account = get_object_or_404(manageable_users(request.user), pk=user_pk)
    account_services.reset_two_factor(by=request.user, user=account)
    messages.success(
        request,
        gettext("Two-factor sign-in was reset. %(name)s was emailed a new enrolment code to set it up again.")
        % {"name": account},
    )
    return redirect("accounts:user_edit", user_pk=account.pk)


# --- Access-change requests (service managers of the service concerned; 404 for everyone else).


def access_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != Role.SERVICE_MANAGER:
        raise Http404
    waiting = account_services.waiting_for(request.user).order_by("created")
    return render(request, "accounts/access_requests.html", {"waiting": waiting})


@never_cache
def access_request_detail(request: AuthenticatedHttpRequest, request_pk: int) -> HttpResponse:
    access_request = get_object_or_404(account_services.waiting_for(request.user), pk=request_pk)
    approve_form = ApproveForm(request.POST if request.POST.get("decision") == "approve" else None)
    refuse_form = RefuseForm(request.POST if request.POST.get("decision") == "refuse" else None)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve" and approve_form.is_valid():
                approval = account_services.approve(
                    by=request.user,
                    request_pk=access_request.pk,
                    deliver=approve_form.cleaned_data.get("delivery") or "email",
                )
                if approval.stale:
                    messages.error(
                        request,
                        gettext(
                            "The account was changed after this request was made, so the request was closed and nothing "
                            "was applied. Ask an administrator to make it again if it is still needed."
                        ),
                    )
                    return redirect("accounts:access_requests")
                # Rendered, not redirected: a code to hand over is shown on this response only.
                return render(
                    request,
                    "accounts/access_request_done.html",
                    {"approval": approval, "account": access_request.account},
                )
            if request.POST.get("decision") == "refuse" and refuse_form.is_valid():
                account_services.refuse(
                    by=request.user, request_pk=access_request.pk, reason=refuse_form.cleaned_data["reason"]
                )
                messages.success(
                    request, gettext("The request was refused. The administrator who made it has been told.")
                )
                return redirect("accounts:access_requests")
        except account_services.DecisionRefused as refused:
            messages.error(request, refused.message)
            return redirect("accounts:access_requests")
    context = {
        "access_request": access_request,
        "approve_form": approve_form,
        "refuse_form": refuse_form,
        "organisation": access_request.requested_organisation,
    }
    return render(request, "accounts/access_request.html", context)
