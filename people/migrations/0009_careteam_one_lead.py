"""One lead practitioner per young person at a time.

Existing data held young people with two active leads (a referral reallocated to a second
practitioner added a second lead). Before the constraint is added, the most recent lead of each
(latest ``started_at``, then highest id) stays lead; each earlier one stays in the care team as a
practitioner, in place (the membership's start is kept: they have worked with the young person
since then). The historical table gets a row saying so, as a change made by the migration.
"""

from django.db import migrations, models
from django.utils import timezone


def keep_the_most_recent_lead(apps, schema_editor):
    Membership = apps.get_model("people", "CareTeamMembership")
    Historical = apps.get_model("people", "HistoricalCareTeamMembership")
    active = Membership.objects.filter(role="lead", ended_at__isnull=True)
    children = (
        active.values("child_id").annotate(leads=models.Count("pk")).filter(leads__gt=1).values_list("child_id", flat=True)
    )
    now = timezone.now()
    for child_id in list(children):
        leads = list(active.filter(child_id=child_id).order_by("-started_at", "-pk"))
        for earlier in leads[1:]:
            earlier.role = "practitioner"
            earlier.save(update_fields=["role"])
            Historical.objects.create(
                id=earlier.pk, child_id=earlier.child_id, user_id=earlier.user_id, role="practitioner",
                started_at=earlier.started_at, ended_at=None, history_date=now, history_type="~",
                history_change_reason="One lead practitioner at a time: a more recent lead was kept",
            )


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0008_nesttraining_practice_level"),
    ]

    operations = [
        migrations.RunPython(keep_the_most_recent_lead, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="careteammembership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_at__isnull", True), ("role", "lead")), fields=("child",), name="one_lead_per_child"
            ),
        ),
    ]
