from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent and information sharing")

    def ready(self) -> None:
        from consent.access import shared_children
        from people.access import register_access_provider

        # Consent reaches only the shared parts of a record, never the whole record.
        register_access_provider("consent", shared_children, whole_record=False)
