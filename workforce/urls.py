from django.urls import path

from workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("staff/<int:user_pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:user_pk>/record/", views.profile_edit, name="profile_edit"),
    path("staff/<int:user_pk>/training/new/", views.training_create, name="training_create"),
    path("staff/<int:user_pk>/supervision/new/", views.supervision_create, name="supervision_create"),
]
