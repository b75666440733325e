from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts import passkey_views, passwords, views

app_name = "accounts"
urlpatterns = [
    path("", views.your_account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/passkey/", passkey_views.passkey_setup, name="passkey_setup"),
    path("password/", passwords.PasswordChangeView.as_view(), name="password_change"),
    # Reset: for people who cannot sign in, so public (and let through by the two-factor middleware).
    path("password-reset/", login_not_required(passwords.PasswordResetView.as_view()), name="password_reset"),
    path(
        "password-reset/sent/",
        login_not_required(passwords.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        login_not_required(passwords.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        login_not_required(passwords.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("enrol/", views.enrol, name="enrol"),
    path("access-requests/", views.access_requests, name="access_requests"),
    path("access-requests/<int:request_pk>/", views.access_request_detail, name="access_request_detail"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/", views.user_edit, name="user_edit"),
    path("users/<int:user_pk>/reset-two-factor/", views.user_reset_two_factor, name="user_reset_two_factor"),
]
