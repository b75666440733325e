from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MyspaceConfig(AppConfig):
    name = "myspace"
    verbose_name = _("The young person's own space")

    def ready(self) -> None:
        from myspace import helpnow, notify, signals  # noqa: F401 - connects the receivers

        notify.connect()  # "something new" for the young person's emails (myspace/notify.py)
        from myspace.access import own_record
        from people.access import register_access_provider

        # A young person reaches their own record, and only the parts their space shows (its
        # pages decide which), never the whole record a practitioner sees.
        register_access_provider("self", own_record, whole_record=False)
        # A carer reaches the record while they are the carer on an open placement and a consent
        # in force names them for support at home (myspace.carers); their pages show only that.
        from myspace.access import carer_record

        register_access_provider("carer", carer_record, whole_record=False)

        # The service's duty workers reach the alert a young person raised (myspace/voice.py).
        from myspace.access import alert_responders

        register_access_provider("space_alert", alert_responders, whole_record=False)
