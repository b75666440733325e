from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfassessConfig(AppConfig):
    name = "selfassess"
    verbose_name = _("NEST/NYTH self-assessment")
