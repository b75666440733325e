"""URLs. Every page exists in English (/en/…) and Welsh (/cy/…); /healthz, /readyz sit outside the language
prefix. The language links are the same page's other-language address (core/context_processors.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

from core import views as core_views
from outcomes import views as outcome_views
from referrals import views as referral_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]

urlpatterns += i18n_patterns(
    # The home page (the dashboard app) keeps its name core:home: the instance namespace.
    path("", include("dashboard.urls", namespace="core")),
    path("account/", include("accounts.urls")),
    path("account/passkeys/", include("accounts.passkey_urls")),  # the WebAuthn ceremonies (ADR 020)
    path("children/", include("people.urls")),
    path("audit/", include("audit.urls")),
    path("referrals/", include("referrals.urls")),
    path("consent/", include("consent.urls")),
    path("assessments/", include("assessments.urls")),
    path("contacts/", include("contacts.urls")),
    path("plans/", include("plans.urls")),
    path("safety/", include("safety.urls")),
    path("episodes/", include("episodes.urls")),
    path("workforce/", include("workforce.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("events/", include("events.urls")),
    path("reports/exports/", include("reporting.export_urls")),  # CSV, XLSX, PDF of suppressed reports
    # The manager's data-quality page (reporting/quality.py); before any other reports/ include.
    path("reports/data-quality/", include("reporting.quality_urls")),
    path("reports/", include("reporting.urls")),
    path("self-assessment/", include("selfassess.urls")),
    path("my/", include("myspace.urls")),
    path("space-access/", include("myspace.staff_urls")),
    path("refer/", referral_views.public_referral, name="public_referral"),
    path("refer/sent/", referral_views.public_referral_sent, name="public_referral_sent"),
    # Anonymous feedback on the support (no sign-in, like refer/): outcomes/feedback.py, ADR 018.
    path("feedback/<str:code>/", outcome_views.public_feedback, name="public_feedback"),
    path("feedback/<str:code>/sent/", outcome_views.public_feedback_sent, name="public_feedback_sent"),
    path("feedback/<str:code>/<slug:who>/", outcome_views.public_feedback, name="public_feedback_form"),
    prefix_default_language=True,
)

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
