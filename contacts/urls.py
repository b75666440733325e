from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("diary/", views.diary, name="diary"),
    path("team/", views.team, name="team"),
    path("children/<int:child_pk>/", views.child_contacts, name="child"),
    path("children/<int:child_pk>/new/", views.contact_create, name="create"),
    path("children/<int:child_pk>/<int:contact_pk>/", views.contact_edit, name="edit"),
]
