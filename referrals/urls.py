from django.urls import path

from referrals import import_views, views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_create, name="create"),
    path("import/", import_views.upload, name="import"),
    path("import/<uuid:job_pk>/", import_views.job, name="import_job"),
    path("sent/<str:reference>/", views.referral_sent, name="sent"),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("waiting-list/weights/", views.weights, name="weights"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("directory/", views.directory, name="directory"),
    path("directory/new/", views.directory_edit, name="directory_create"),
    path("directory/<int:entry_pk>/", views.directory_edit, name="directory_edit"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/link/", views.referral_link, name="link"),
    path("<int:pk>/decide/", views.referral_decide, name="decide"),
    path("<int:pk>/priority/", views.referral_adjust, name="adjust"),
    path("<int:pk>/allocate/", views.referral_allocate, name="allocate"),
    path("<int:pk>/initial-consultation/", views.initial_consultation, name="initial_consultation"),
]
