from django.urls import path

from selfassess import views

app_name = "selfassess"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("maturity/", views.maturity, name="maturity"),
    path("<int:round_pk>/", views.detail, name="detail"),
    path("<int:round_pk>/edit/", views.edit, name="edit"),
    path("<int:round_pk>/complete/", views.complete, name="complete"),
    path("<int:round_pk>/actions/new/", views.action_edit, name="action_create"),
    path("<int:round_pk>/actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path("<int:round_pk>/actions/<int:action_pk>/progress/", views.action_progress, name="action_progress"),
]
