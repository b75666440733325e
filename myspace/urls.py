from django.urls import path

from myspace import views

app_name = "myspace"

# The space itself: what a young person (or carer) may open (myspace.middleware).
urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("exit/", views.exit_page, name="exit"),
]

# The young person's own pages (myspace/views_yppages.py).
from myspace import views_yppages  # noqa: E402

urlpatterns += [
    path("plan/", views_yppages.plan, name="plan"),
    path("goals/", views_yppages.goals, name="goals"),
    path("nest/", views_yppages.nest, name="nest"),
    path("sessions/", views_yppages.sessions, name="sessions"),
    path("sessions/<int:contact_pk>/change/", views_yppages.session_change, name="session_change"),
    path("help/", views_yppages.help_now, name="help"),
]
