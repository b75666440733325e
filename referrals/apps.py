from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # The import task's failure receiver must be connected in every process (the reaper's too).
        from referrals import import_jobs  # noqa: F401
