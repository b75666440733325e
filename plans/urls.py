from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.option_edit, name="option_add"),
    path("catalogue/standard/", views.catalogue_standard, name="catalogue_standard"),
    path("catalogue/<int:option_pk>/", views.option_edit, name="option_edit"),
    path("catalogue/<int:option_pk>/offered/", views.option_active, name="option_active"),
    path("reviews/overdue/", views.overdue_reviews, name="overdue_reviews"),
    path("children/<int:child_pk>/", views.plan, name="plan"),
    path("children/<int:child_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("children/<int:child_pk>/history/", views.history, name="history"),
    path("children/<int:child_pk>/offers/", views.offer, name="offer"),
    path("children/<int:child_pk>/offers/<int:offer_pk>/", views.choice, name="choice"),
    path("children/<int:child_pk>/goals/new/", views.goal_edit, name="goal_add"),
    path("children/<int:child_pk>/goals/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path("children/<int:child_pk>/actions/new/", views.action_edit, name="action_add"),
    path("children/<int:child_pk>/actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path("children/<int:child_pk>/reviews/new/", views.review_add, name="review_add"),
]
