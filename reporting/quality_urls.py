"""The data-quality page (included at ``reports/data-quality/``): the summary, and one list per
check, each under its own URL name (the check's slug), so every list is a page of its own."""

from django.urls import URLPattern, path

from reporting import quality, quality_views

app_name = "data_quality"
urlpatterns: list[URLPattern] = [
    path("", quality_views.summary, name="summary"),
    *(
        path(f"{check.slug}/", quality_views.check_list, {"slug": check.slug}, name=check.slug)
        for check in quality.CHECKS
    ),
]
