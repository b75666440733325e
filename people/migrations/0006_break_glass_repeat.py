from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_break_glass_reported"),
    ]

    operations = [
        migrations.AddField(
            model_name="breakglassaccess",
            name="repeat",
            field=models.CharField(
                blank=True,
                choices=[
                    ("same_child", "Repeat within a day: the same record again"),
                    ("many", "Repeat within a day: many records"),
                ],
                default="",
                max_length=20,
                verbose_name="repeat",
            ),
        ),
    ]
