from django.urls import path

from safety import views

app_name = "safety"

urlpatterns = [
    path("children/<int:child_pk>/", views.safety_plan, name="plan"),
    path("children/<int:child_pk>/edit/", views.safety_plan_edit, name="edit"),
]
