from django.urls import path

from myspace import views

app_name = "myspace"

# The space itself: what a young person (or carer) may open (myspace.middleware).
urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("exit/", views.exit_page, name="exit"),
]

# My consents and who has seen my story (myspace/views_consents.py).
from myspace import views_consents  # noqa: E402

urlpatterns += [
    path("consents/", views_consents.my_consents, name="consents"),
    path("consents/<int:consent_pk>/stop/", views_consents.stop_sharing, name="stop_sharing"),
    path("seen/", views_consents.who_has_seen, name="seen"),
    path("seen/<int:event_pk>/ask/", views_consents.ask_why, name="ask_why"),
]
