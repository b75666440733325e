from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("instruments/", views.instrument_list, name="instrument_list"),
]
