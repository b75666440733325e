from django.urls import path

from myspace import views

app_name = "myspace"

# The space itself: what a young person (or carer) may open (myspace.middleware).
urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("exit/", views.exit_page, name="exit"),
]
