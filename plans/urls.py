from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("children/<int:child_pk>/", views.plan, name="plan"),
]
