from django.urls import path

from myspace import views, views_carer, views_consents, views_measures, views_notify, views_voice, views_yppages

app_name = "myspace"

# The space itself: what a young person (or carer) may open (myspace.middleware).
urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("exit/", views.exit_page, name="exit"),
    # The young person's own pages (myspace/views_yppages.py).
    path("plan/", views_yppages.plan, name="plan"),
    path("goals/", views_yppages.goals, name="goals"),
    path("nest/", views_yppages.nest, name="nest"),
    path("sessions/", views_yppages.sessions, name="sessions"),
    path("sessions/<int:contact_pk>/change/", views_yppages.session_change, name="session_change"),
    path("help/", views_yppages.help_now, name="help"),
    # How I'm feeling, the alert, before my review (myspace/views_voice.py).
    path("feeling/", views_voice.checkin, name="checkin"),
    path("need-help/", views_voice.help_me, name="help_me"),
    path("need-help/send/", views_voice.raise_alert, name="raise_alert"),
    path("need-help/sent/", views_voice.alert_sent, name="alert_sent"),
    path("before-my-review/", views_voice.before_review, name="before_review"),
    # My consents and who has seen my story (myspace/views_consents.py).
    path("consents/", views_consents.my_consents, name="consents"),
    path("consents/<int:consent_pk>/stop/", views_consents.stop_sharing, name="stop_sharing"),
    path("seen/", views_consents.who_has_seen, name="seen"),
    path("seen/<int:event_pk>/ask/", views_consents.ask_why, name="ask_why"),
    # Emails from Nyth: "email me when there is something new" (myspace/views_notify.py).
    path("emails/", views_notify.emails, name="emails"),
    path("emails/off/", views_notify.emails_off, name="emails_off"),
    # The outcome measures due for them, offered after a check-in (myspace/views_measures.py).
    path("feeling/more/", views_measures.offers, name="measure_offers"),
    path("feeling/measure/<int:point_pk>/<slug:code>/", views_measures.measure, name="measure"),
    # The carer's pages (myspace/views_carer.py): what the young person shares with them.
    path("carer/goals/", views_carer.goals, name="carer_goals"),
    path("carer/feedback/", views_carer.feedback, name="carer_feedback"),
]
