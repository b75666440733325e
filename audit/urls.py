from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("children/<int:pk>/", views.child_audit, name="child"),
]
