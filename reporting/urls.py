"""Reporting pages (issue 15), at /reports/. No address names a young person or takes an id:
the period, area and filters are the GET form's."""

from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("area/", views.area, name="area"),
    path("service/", views.service, name="service"),
    path("caseload/", views.caseload, name="caseload"),
]
