from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/<slug:code>/propose/", views.instrument_propose, name="instrument_propose"),
    path("instruments/<slug:code>/history/", views.instrument_history, name="instrument_history"),
    path("instruments/changes/<int:change_pk>/", views.instrument_change, name="instrument_change"),
    path("overdue/", views.overdue_measures, name="overdue_measures"),
    path("children/<int:child_pk>/", views.child_outcomes, name="child_outcomes"),
    path("children/<int:child_pk>/summary.pdf", views.child_outcomes_pdf, name="child_outcomes_pdf"),
    path("children/<int:child_pk>/points/", views.child_points, name="child_points"),
    path("points/<int:point_pk>/record/", views.point_record, name="point_record"),
    path("points/<int:point_pk>/not-done/", views.point_not_done, name="point_not_done"),
    path("children/<int:child_pk>/feedback/", views.child_feedback, name="child_feedback"),
    path("children/<int:child_pk>/feedback/<slug:who>/", views.child_feedback, name="child_feedback_form"),
    path("feedback/", views.feedback_summary, name="feedback_summary"),
]
