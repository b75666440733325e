from django.urls import path

from dashboard import views

# Included under the instance namespace "core" (config/urls.py): the home page kept its name
# ``core:home`` when it moved here, so templates, redirects and tests reverse it unchanged.
app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
]
