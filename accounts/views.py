"""Sign-in with two factors, sign-out and the lockout page."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
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
from django.views.decorators.http import require_POST
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services as account_services
from accounts import throttle
from accounts.forms import LanguageForm, NewUserForm, SignInForm, TokenForm, UserDetailsForm
from accounts.models import Role, manageable_users
from accounts.sessions import complete_second_factor
from audit.models import Action
from audit.services import record


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
            form._errors, form.cleaned_data = ErrorDict(), {}
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

    def form_valid(self, form: SignInForm) -> HttpResponse:
        super().form_valid(form)
        user = self.request.user
        throttle.record_success(user.username)
        record(actor=user, action=Action.SIGN_IN, obj=user)
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


def your_account(request: HttpRequest) -> HttpResponse:
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
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(actor=request.user, action=Action.SIGN_OUT, obj=request.user)
    logout(request)
    return redirect("accounts:login")


def two_factor(request: HttpRequest) -> HttpResponse:
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
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


def _wrong_code() -> str:
    return gettext("The security code is not correct or has expired. Enter the newest code from your app.")


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm a code."""
    next_url = _safe_next(request, reverse("core:home"))
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
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
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_not_required
def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this after too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# --- Account administration (administrators only; everyone else gets 404, as for records).


def _require_administrator(request: HttpRequest) -> None:
    if request.user.role != Role.ADMINISTRATOR:
        raise Http404


def user_list(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    query = request.GET.get("q", "").strip()[:100]
    users = manageable_users(request.user).select_related("organisation").order_by("last_name", "first_name")
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
            | Q(organisation__name_en__icontains=query) | Q(organisation__name_cy__icontains=query)
        )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


def user_create(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = NewUserForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("password1", "password2")}
        user = account_services.create_user(by=request.user, values=values, password=form.cleaned_data["password1"])
        messages.success(request, gettext("The account for %(name)s was created.") % {"name": user})
        return redirect("accounts:user_edit", user_pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


def user_edit(request: HttpRequest, user_pk: int) -> HttpResponse:
    account = get_object_or_404(manageable_users(request.user), pk=user_pk)
    form = UserDetailsForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        account_services.update_user(by=request.user, user=manageable_users(request.user).get(pk=account.pk), values=form.cleaned_data)
        messages.success(request, gettext("Your changes were saved."))
        return redirect("accounts:user_edit", user_pk=account.pk)
    has_device = TOTPDevice.objects.filter(user=account, confirmed=True).exists()
    return render(request, "accounts/user_form.html", {"form": form, "account": account, "has_device": has_device})


@require_POST
def user_reset_two_factor(request: HttpRequest, user_pk: int) -> HttpResponse:
    account = get_object_or_404(manageable_users(request.user), pk=user_pk)
    account_services.reset_two_factor(by=request.user, user=account)
    messages.success(request, gettext("Two-factor sign-in was reset. %(name)s will set it up again at the next sign-in.") % {"name": account})
    return redirect("accounts:user_edit", user_pk=account.pk)
