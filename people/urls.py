from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path(
        "emergency-access/<int:access_pk>/whole-record/",
        views.break_glass_whole_record,
        name="break_glass_whole_record",
    ),
    path("emergency-access/review/", views.break_glass_review, name="break_glass_review"),
    path(
        "emergency-access/<int:access_pk>/reviewed/", views.break_glass_mark_reviewed, name="break_glass_mark_reviewed"
    ),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/history/", views.child_history, name="history"),
    path("<int:pk>/people/new/", views.related_person_edit, name="related_person_create"),
    path("<int:pk>/people/<int:person_pk>/", views.related_person_detail, name="related_person_detail"),
    path("<int:pk>/people/<int:person_pk>/edit/", views.related_person_edit, name="related_person_edit"),
    path("<int:pk>/people/<int:person_pk>/training/new/", views.nest_training_create, name="nest_training_create"),
    path("<int:pk>/placements/new/", views.placement_create, name="placement_create"),
    path("<int:pk>/placements/current/carers/", views.placement_carers, name="placement_carers"),
    path("<int:pk>/care-team/", views.care_team, name="care_team"),
    path("<int:pk>/care-team/<int:membership_pk>/end/", views.care_team_end, name="care_team_end"),
    path("<int:pk>/duplicates/", views.child_duplicates, name="duplicates"),
    path("<int:pk>/merge/<int:other_pk>/", views.child_merge, name="merge"),
    path("merges/<int:merge_pk>/undo/", views.merge_undo, name="merge_undo"),
]
