from django.urls import path

from myspace import views

app_name = "myspace"

# The space itself: what a young person (or carer) may open (myspace.middleware).
urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("exit/", views.exit_page, name="exit"),
]

# How I'm feeling, the alert, before my review (myspace/views_voice.py).
from myspace import views_voice  # noqa: E402

urlpatterns += [
    path("feeling/", views_voice.checkin, name="checkin"),
    path("help/", views_voice.help_me, name="help_me"),
    path("help/send/", views_voice.raise_alert, name="raise_alert"),
    path("help/sent/", views_voice.alert_sent, name="alert_sent"),
    path("before-my-review/", views_voice.before_review, name="before_review"),
]
