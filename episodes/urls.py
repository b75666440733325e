from django.urls import path

from episodes import views

app_name = "episodes"

urlpatterns = [
    path("children/<int:child_pk>/", views.episodes, name="list"),
    path("children/<int:child_pk>/timeline/", views.timeline, name="timeline"),
    path("children/<int:child_pk>/open/", views.episode_open, name="open"),
    path("episode/<int:episode_pk>/pause/", views.episode_change, {"action": "pause"}, name="pause"),
    path("episode/<int:episode_pk>/resume/", views.episode_change, {"action": "resume"}, name="resume"),
    path("episode/<int:episode_pk>/close/", views.episode_change, {"action": "close"}, name="close"),
    path("episode/<int:episode_pk>/reopen/", views.episode_change, {"action": "reopen"}, name="reopen"),
    path("children/<int:child_pk>/transitions/new/", views.transition_create, name="transition_create"),
    path("transitions/<int:transition_pk>/", views.transition_detail, name="transition_detail"),
    path("transitions/<int:transition_pk>/edit/", views.transition_edit, name="transition_edit"),
    path("transitions/<int:transition_pk>/complete/", views.transition_complete, name="transition_complete"),
    path("transitions/<int:transition_pk>/checklist/", views.checklist_add, name="checklist_add"),
    path("transitions/<int:transition_pk>/care-team/", views.transition_care_team, name="transition_care_team"),
    path("transitions/<int:transition_pk>/sessions/", views.transition_sessions, name="transition_sessions"),
]
