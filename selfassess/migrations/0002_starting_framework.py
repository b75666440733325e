"""Load Nyth's reading of the NEST/NYTH framework (selfassess.framework_data) as the current one."""

from django.db import migrations


def forwards(apps, schema_editor):
    from selfassess import loader
    from selfassess.framework_data import STARTING

    Framework = apps.get_model("selfassess", "Framework")
    if Framework.objects.filter(code=STARTING["code"], version=STARTING["version"]).exists():
        return
    loader.load(
        STARTING,
        framework_model=Framework,
        domain_model=apps.get_model("selfassess", "Domain"),
        statement_model=apps.get_model("selfassess", "Statement"),
        level_model=apps.get_model("selfassess", "Level"),
    )


class Migration(migrations.Migration):
    dependencies = [("selfassess", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
