"""Fill the identity-matching keys for records that existed before the keys did.

Uses the same pure key function as ``Child.save`` (people.identity.identity_keys) on the
historical model state, in batches, so it works on a large register."""

from django.db import migrations

BATCH = 2000
FIELDS = [
    "given_name_ascii", "family_name_ascii", "name_key_given", "name_key_family",
    "birth_year", "birth_month", "birth_day", "postcode",
]


def fill_keys(apps, schema_editor):
    from people.identity import identity_keys

    Child = apps.get_model("people", "Child")
    batch = []
    rows = Child.objects.using(schema_editor.connection.alias).order_by("pk")
    for child in rows.iterator(chunk_size=BATCH):
        keys = identity_keys(
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth,
            postcode=child.postcode,
        )
        for name, value in keys.items():
            setattr(child, name, value)
        batch.append(child)
        if len(batch) >= BATCH:
            Child.objects.using(schema_editor.connection.alias).bulk_update(batch, FIELDS)
            batch = []
    if batch:
        Child.objects.using(schema_editor.connection.alias).bulk_update(batch, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_child_identity_keys_mergerecord"),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
