from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("children/<int:child_pk>/", views.child_events, name="child"),
    path("children/<int:child_pk>/new/", views.event_form, name="create"),
    path("children/<int:child_pk>/<int:event_pk>/", views.event_form, name="edit"),
    path("children/<int:child_pk>/<int:event_pk>/remove/", views.remove, name="remove"),
    path("children/<int:child_pk>/recorded/", views.period_form, name="period_create"),
]
