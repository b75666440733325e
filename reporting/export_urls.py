from django.urls import path

from reporting import export_views

app_name = "reporting_exports"

urlpatterns = [
    path("", export_views.start, name="start"),
    path("<uuid:job_pk>/", export_views.job, name="job"),
    path("<uuid:job_pk>/status/", export_views.job_status, name="job_status"),
    path("<uuid:job_pk>/download/", export_views.download, name="download"),
]
