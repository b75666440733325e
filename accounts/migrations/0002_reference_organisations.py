from django.db import migrations

from accounts import reference


def load(apps, schema_editor):
    reference.load(apps.get_model("accounts", "Organisation"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    # Reversing leaves the reference organisations in place: records may point at them.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
