"""Sharing the assessment with an organisation, PDF copies, and the read-only shared view.

Thin, like ``assessments.views``: the child is reached only through ``Child.objects.visible_to``
(the whole record – sharing is done from the child's record), a share only through
``AssessmentShare.objects.visible_to`` (the sharer's side, or the recipient organisation's side
while the consent or safeguarding share behind it is in force, so a withdrawal removes access at
once); what may leave is decided in ``assessments.sharing`` (consent, restrictions) and every
page and action is audited.

Out of scope → 404; in scope but not allowed to share (break-glass, read-only) → 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Language, Organisation
from assessments import services, sharing
from assessments.access import restricted_sections
from assessments.models import AssessmentShare, WithheldReason
from assessments.sections import BY_KEY, SECTIONS, Section
from assessments.views import _byline
from audit.models import Action
from audit.services import record
from consent.models import Purpose
from core.forms import NythForm, add_service_errors, reject_markup
from core.http import AuthenticatedHttpRequest
from core.text_language import TextLanguageFormMixin
from people.access import audit_route, get_visible_or_404, record_access, require_change
from people.models import Child

SHARE, EXPORT = "share", "export"


# --- The form ----------------------------------------------------------------------------------


class RecipientField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj} ({obj.get_type_display()})"


class ShareForm(TextLanguageFormMixin, NythForm):
    """What to share, with whom, why and in which language. Only parses: consent, restrictions
    and permissions are checked by ``assessments.sharing``."""

    organisation = RecipientField(
        label=gettext_lazy("Who is it for?"),
        queryset=Organisation.objects.none(),
        empty_label=gettext_lazy("Choose an organisation"),
        help_text=gettext_lazy(
            "Only organisations the young person's consent (or an approved safeguarding share) names, or whose type it names."
        ),
        error_messages={
            "required": gettext_lazy("Choose who to share with"),
            "invalid_choice": gettext_lazy("Choose an organisation from the list"),
        },
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("What is it for?"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the purpose of sharing")},
    )
    sections = forms.MultipleChoiceField(
        label=gettext_lazy("Which sections?"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Only the sections the consent covers are shared; the recipient is told that others were withheld, and why, but not what they say."
        ),
        error_messages={"required": gettext_lazy("Choose at least one section to share")},
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language for the headings and labels"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("The words written in the assessment are shared as they were written."),
        error_messages={"required": gettext_lazy("Choose English or Welsh")},
    )
    note = forms.CharField(
        label=gettext_lazy("Message to the recipient"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        help_text=gettext_lazy(
            "For example, why you are sharing it now. Do not repeat anything from the assessment here."
        ),
    )

    def __init__(
        self, *args: Any, mode: str, recipients: QuerySet[Organisation], available: list[Section], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = recipients
        purposes = sharing.EXPORT_PURPOSES if mode == EXPORT else (*sharing.SHARE_PURPOSES, *sharing.EXPORT_PURPOSES)
        self.fields["purpose"].choices = [(value, label) for value, label in Purpose.choices if value in purposes]
        if mode == SHARE:
            self.fields["purpose"].help_text = gettext_lazy(
                "For court proceedings you can download a PDF copy; it is not shared in Nyth."
            )
        self.fields["sections"].choices = [(section.key, section.title) for section in available]
        if mode == EXPORT:
            # A PDF carries no message: anything for the court goes in the covering letter.
            del self.fields["note"]
            del self.fields["text_language"]


# --- Sharing and copying -----------------------------------------------------------------------


def share_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    return _share_page(request, child_pk, mode=SHARE)


def export_create(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    return _share_page(request, child_pk, mode=EXPORT)


def _share_page(request: AuthenticatedHttpRequest, child_pk: int, *, mode: str) -> HttpResponse:
    child = get_visible_or_404(request, Child.objects.visible_to(request.user).select_related("service"), pk=child_pk)
    require_change(request, child)
    current = services.current_versions(services.assessment_for(child))
    restricted = restricted_sections(child)
    available = [s for s in SECTIONS if s.key in current and s.key not in restricted]
    unavailable = [
        {
            "section": s,
            "reason": WithheldReason.RESTRICTED.label if s.key in restricted else WithheldReason.EMPTY.label,
        }
        for s in SECTIONS
        if s not in available
    ]
    recipients = sharing.recipient_choices(child)
    form = ShareForm(
        request.POST if request.method == "POST" else None,
        mode=mode,
        recipients=recipients,
        available=available,
        initial={"language": sharing.default_language(child), "sections": [s.key for s in available]},
    )
    if request.method == "POST" and form.is_valid():
        action = "pdf" if mode == EXPORT else request.POST.get("action", "share")
        data = form.cleaned_data
        try:
            if action == "pdf":
                export, content = sharing.export_pdf(
                    by=request.user,
                    child=child,
                    organisation=data["organisation"],
                    purpose=data["purpose"],
                    sections=data["sections"],
                    language=data["language"],
                )
                return _pdf_response(export.reference, content)
            share = sharing.share_assessment(
                by=request.user,
                child=child,
                organisation=data["organisation"],
                purpose=data["purpose"],
                sections=data["sections"],
                note=data.get("note", ""),
                text_language=data.get("text_language", ""),
                language=data["language"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The assessment was shared with %(recipient)s. Reference: %(reference)s.")
                % {"recipient": share.recipient_organisation, "reference": share.reference},
            )
            return redirect("assessments:share_detail", share_pk=share.pk)
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        route=audit_route(request.user, child),
        detail={"page": "share" if mode == SHARE else "export"},
    )
    return render(
        request,
        "assessments/share_form.html",
        {
            "child": child,
            "form": form,
            "mode": mode,
            "unavailable": unavailable,
            "has_recipients": recipients.exists(),
            "has_sections": bool(available),
        },
    )


def _pdf_response(reference: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reference}.pdf"'
    # A copy of a child's assessment must not linger in shared caches or the browser's cache.
    response["Cache-Control"] = "no-store, private"
    return response


# --- The shared view ---------------------------------------------------------------------------


def share_detail(request: AuthenticatedHttpRequest, share_pk: int) -> HttpResponse:
    """The share, read-only, in the viewer's language (the sharer's choice is noted). Reached only
    through ``AssessmentShare.objects.visible_to``: a withdrawn consent or an expired safeguarding
    share removes the recipient's access at once (404)."""
    share = get_visible_or_404(
        request,
        AssessmentShare.objects.visible_to(request.user).select_related(
            "child", "recipient_organisation", "shared_by__organisation", "consent", "safeguarding"
        ),
        pk=share_pk,
    )
    child = share.child
    reached = record_access(request.user, child)
    sharer_side = reached.whole_record
    shown, withheld = sharing.share_contents(share)
    reasons = dict(WithheldReason.choices)
    withheld_rows = [
        {"section": BY_KEY[key], "reason": reasons.get(reason, reason)}
        for key, reason in sorted(
            withheld.items(), key=lambda item: list(BY_KEY).index(item[0]) if item[0] in BY_KEY else 99
        )
        if key in BY_KEY and reason != WithheldReason.RESTRICTED
    ]
    restricted_count = sum(1 for reason in withheld.values() if reason == WithheldReason.RESTRICTED)
    if sharer_side:
        route_name = reached.route_name
    else:
        route_name = "consent" if share.consent_id else "safeguarding"
    record(
        actor=request.user,
        action=Action.VIEW,
        obj=share,
        child_id=child.pk,
        route=reached.audit_route,
        detail={"share": share.reference, "side": "sharer" if sharer_side else "recipient", "route": route_name},
    )
    return render(
        request,
        "assessments/share_detail.html",
        {
            "share": share,
            "child": child,
            "sharer_side": sharer_side,
            "shared_by": ", ".join(str(part) for part in (share.shared_by, share.shared_by.organisation) if part),
            "entries": [{"version": v, "section": BY_KEY[v.section], "byline": _byline(v)} for v in shown],
            "withheld_rows": withheld_rows,
            "restricted_count": restricted_count,
            "purpose_label": dict(Purpose.choices).get(share.purpose, share.purpose),
            "language_label": dict(Language.choices).get(share.language, share.language),
        },
    )
