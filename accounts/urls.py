from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("enrol/", views.enrol, name="enrol"),
    path("access-requests/", views.access_requests, name="access_requests"),
    path("access-requests/<int:request_pk>/", views.access_request_detail, name="access_request_detail"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/", views.user_edit, name="user_edit"),
    path("users/<int:user_pk>/reset-two-factor/", views.user_reset_two_factor, name="user_reset_two_factor"),
]
