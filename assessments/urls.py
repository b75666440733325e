from django.urls import path

from assessments import share_views, views

app_name = "assessments"

urlpatterns = [
    # The assessment itself (views.py)
    path("children/<int:child_pk>/", views.assessment, name="assessment"),
    path("children/<int:child_pk>/sections/<slug:section>/edit/", views.section_edit, name="section_edit"),
    path("children/<int:child_pk>/sections/<slug:section>/history/", views.section_history, name="section_history"),
    path("children/<int:child_pk>/sections/<slug:section>/restrict/", views.section_restrict, name="section_restrict"),
    path("children/<int:child_pk>/compare/", views.compare, name="compare"),
    path("children/<int:child_pk>/seen/", views.who_has_seen, name="seen"),
    path("shared-with-me/", views.shared_with_me, name="shared_with_me"),
    # Sharing and exports (share_views.py)
    path("children/<int:child_pk>/share/", share_views.share_create, name="share_create"),
    path("shares/<int:share_pk>/", share_views.share_detail, name="share_detail"),
    path("children/<int:child_pk>/export/", share_views.export_create, name="export_create"),
]
