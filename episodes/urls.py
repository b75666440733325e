from django.urls import path

from episodes import views

app_name = "episodes"

urlpatterns = [
    path("children/<int:child_pk>/", views.episodes, name="list"),
    path("children/<int:child_pk>/timeline/", views.timeline, name="timeline"),
]
