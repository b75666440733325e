"""Staff pages about a young person's space (invite, re-invite, end access). A separate
namespace from the space itself, so the middleware's rule stays "myspace:* and nothing else"."""

from django.urls import path

from myspace import staff_views

app_name = "space_access"

urlpatterns = [
    path("<int:child_pk>/", staff_views.child, name="child"),
    path("<int:child_pk>/invite/", staff_views.invite, name="invite"),
    path("<int:child_pk>/end/", staff_views.revoke, name="revoke"),
]

# Notices from the young person's space and the entries kept from their view (staff_consents.py).
from myspace import staff_consents  # noqa: E402

urlpatterns += [
    path("<int:child_pk>/notices/", staff_consents.notices, name="notices"),
    path("<int:child_pk>/notices/<int:notice_pk>/done/", staff_consents.notice_done, name="notice_done"),
    path("<int:child_pk>/log/", staff_consents.log, name="log"),
    path("<int:child_pk>/log/<int:event_pk>/withhold/", staff_consents.withhold, name="withhold"),
]
