from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work: enqueueing after commit, worker leases and the reaper, the email outbox."""

    name = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
