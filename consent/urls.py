from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("children/<int:child_pk>/", views.consent_list, name="list"),
    path("children/<int:child_pk>/new/", views.consent_create, name="create"),
    path("children/<int:child_pk>/refusals/new/", views.refusal_create, name="refusal_create"),
    path("<int:consent_pk>/", views.consent_detail, name="detail"),
    path("<int:consent_pk>/withdraw/", views.consent_withdraw, name="withdraw"),
    path("children/<int:child_pk>/safeguarding/new/", views.safeguarding_create, name="safeguarding_create"),
    path("safeguarding/", views.safeguarding_review, name="safeguarding_review"),
    path("safeguarding/<int:safeguarding_pk>/", views.safeguarding_detail, name="safeguarding_detail"),
]
