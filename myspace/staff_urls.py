"""Staff pages about a young person's space (invite, re-invite, end access). A separate
namespace from the space itself, so the middleware's rule stays "myspace:* and nothing else"."""

from django.urls import path

from myspace import (
    staff_carers,
    staff_consents,
    staff_inbox,
    staff_reviews,
    staff_rota,
    staff_views,
    staff_voice,
    staff_yppages,
)

app_name = "space_access"

urlpatterns = [
    path("<int:child_pk>/", staff_views.child, name="child"),
    path("<int:child_pk>/invite/", staff_views.invite, name="invite"),
    path("<int:child_pk>/end/", staff_views.revoke, name="revoke"),
    # Carers' access.
    path("<int:child_pk>/carer/<int:person_pk>/invite/", staff_carers.invite, name="carer_invite"),
    path("<int:child_pk>/carer/<int:person_pk>/end/", staff_carers.revoke, name="carer_revoke"),
    # The Help now lines, kept by service managers (myspace/staff_yppages.py).
    path("help-lines/", staff_yppages.help_lines, name="help_lines"),
    path("help-lines/new/", staff_yppages.help_line_edit, name="help_line_create"),
    path("help-lines/<int:line_pk>/", staff_yppages.help_line_edit, name="help_line_edit"),
    # The young person's voice (myspace/staff_voice.py).
    path("<int:child_pk>/said/alert/<int:alert_pk>/", staff_voice.alert, name="alert"),
    # Notices from the young person's space and the entries kept from their view (staff_consents.py).
    path("<int:child_pk>/log/", staff_consents.log, name="log"),
    path("<int:child_pk>/log/<int:event_pk>/withhold/", staff_consents.withhold, name="withhold"),
    # The one care-team inbox (myspace/staff_inbox.py): everything from their space, one read rule.
    # The older addresses stay, as thin wrappers, so links to them keep working.
    path("waiting/", staff_inbox.waiting, name="waiting"),
    path("<int:child_pk>/from-their-space/", staff_inbox.child_inbox, name="inbox"),
    path("<int:child_pk>/from-their-space/<slug:kind>/<int:item_pk>/read/", staff_inbox.mark_read, name="inbox_read"),
    path("<int:child_pk>/said/", staff_inbox.checkins, name="checkins"),
    path("<int:child_pk>/said/checkin/<int:checkin_pk>/read/", staff_inbox.checkin_read, name="checkin_read"),
    path("<int:child_pk>/said/review/<int:note_pk>/read/", staff_inbox.review_note_read, name="review_note_read"),
    path("<int:child_pk>/requests/<int:space_request_pk>/read/", staff_inbox.request_read, name="request_read"),
    path("<int:child_pk>/notices/", staff_inbox.notices, name="notices"),
    path("<int:child_pk>/notices/<int:notice_pk>/done/", staff_inbox.notice_done, name="notice_done"),
    # Reviews of access at 26 or long after support ended (myspace/staff_reviews.py).
    path("reviews/", staff_reviews.due, name="reviews"),
    path("<int:child_pk>/reviews/", staff_reviews.child_reviews, name="reviews_child"),
    # The service's on-call rota, kept by its service managers (myspace/staff_rota.py).
    path("rota/", staff_rota.rota_list, name="rota"),
    path("rota/new/", staff_rota.shift_edit, name="shift_create"),
    path("rota/<int:shift_pk>/", staff_rota.shift_edit, name="shift_edit"),
    path("rota/<int:shift_pk>/remove/", staff_rota.shift_remove, name="shift_remove"),
]
