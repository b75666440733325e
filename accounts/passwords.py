"""Password change and reset, on Django's own views, forms and token generator.

A reset link goes only to the account holder's email, through the outbox (``jobs.email``), from a
task that makes the token itself: the link never waits in the queue and is never shown on a page.
The request page answers the same whether or not the address belongs to an account (ADR 010).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from accounts.models import SPACE_ROLES, User
from audit.models import Action, Route
from audit.services import record
from core import ratelimit
from core.net import client_address
from jobs.email import deliver_once, send_later


def reset_request_rate() -> ratelimit.Rate:
    return ratelimit.Rate(settings.NYTH_PASSWORD_RESETS_PER_HOUR, 3600)


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].help_text = _("The email address on your Nyth account.")
        self.fields["email"].error_messages = {
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        }

    def get_users(self, email: str) -> Any:
        """Staff accounts only. A young person's or carer's forgotten password is handled by their
        practitioner, who re-invites them in person: an emailed link could reach whoever else
        reads that inbox (a shared family address, a phone someone else manages)."""
        return (user for user in super().get_users(email) if user.role not in SPACE_ROLES)

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Queue one reset email per active account with this address; tell the page nothing."""
        for user in self.get_users(self.cleaned_data["email"]):
            record(actor=None, action=Action.UPDATE, obj=user, detail={"password_reset": "requested"}, route=Route.UI)
            send_later(send_password_reset_email, user_id=user.pk, request_id=uuid.uuid4().hex)


def reset_link(user: User) -> str:
    """The one-use link for ``user`` in their language (valid PASSWORD_RESET_TIMEOUT seconds)."""
    with translation.override(user.preferred_language):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    return f"{settings.NYTH_SITE_URL}{path}"


@task()
def send_password_reset_email(user_id: int, request_id: str) -> bool:
    """Make the link here, in the task, so neither the queue nor the sent-marker holds it."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    link = reset_link(user)
    with translation.override(user.preferred_language):
        subject = gettext("Nyth: reset your password")
        body = render_to_string(
            "accounts/password_reset_email.txt",
            {"user": user, "link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
        )
    key = hashlib.sha256(request_id.encode()).hexdigest()[:32]
    return deliver_once(event_key=f"password-reset:{user.pk}:{key}", to=user.email, subject=subject, body=body)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Counted per address before anything is looked up, whether the address exists or not.
        if not ratelimit.hit(f"password-reset:{client_address(request)}", reset_request_rate()):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None, gettext("You have asked for too many password reset emails. Wait an hour and try again.")
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False  # sign in again, with the new password and the second factor

    def form_valid(self, form: auth_forms.SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        # The new password changes the session auth hash: every session of this account ends.
        record(actor=form.user, action=Action.UPDATE, obj=form.user, detail={"password_reset": "done"}, route=Route.UI)
        return response

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        # A used, expired or made-up link is "not found", like any other address that is not there.
        if not context.get("validlink"):
            kwargs["status"] = 404
        return super().render_to_response(context, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def get_success_url(self) -> str:
        # A young person or carer has no staff account page (myspace.middleware): back to their space.
        if getattr(self.request.user, "role", "") in SPACE_ROLES:
            return reverse("myspace:home")
        return str(self.success_url)

    def form_valid(self, form: auth_forms.PasswordChangeForm) -> HttpResponse:
        # Django keeps this session (update_session_auth_hash, which keeps the verified device)
        # and the changed hash ends every other session of the account.
        response = super().form_valid(form)
        record(
            actor=form.user,
            action=Action.UPDATE,
            obj=form.user,
            detail={"fields": ["password"], "password_changed": True},
            route=Route.UI,
        )
        messages.success(
            self.request, gettext("Your password was changed. You are still signed in here; other sessions have ended.")
        )
        return response
