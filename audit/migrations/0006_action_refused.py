# The refused-attempt action (issue 11 §3, ADR 013). Numbered 0006 to leave room for the audit
# format branch's migrations: the integrator re-points the dependency at the last of them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_audit_links_hmac"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("list", "Listed or searched"),
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("delete", "Removed"),
                    ("export", "Exported"),
                    ("share", "Shared"),
                    ("merge", "Merged"),
                    ("break_glass", "Emergency access started"),
                    ("review", "Reviewed"),
                    ("sign_in", "Signed in"),
                    ("sign_in_failed", "Sign-in failed"),
                    ("sign_out", "Signed out"),
                    ("refused", "Refused (outside scope)"),
                ],
                max_length=20,
            ),
        ),
    ]
