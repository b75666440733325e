from django.urls import path

from myspace import views

app_name = "myspace"

urlpatterns = [
    path("", views.home, name="home"),
]
