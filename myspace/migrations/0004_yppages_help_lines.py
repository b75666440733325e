"""Seed Help now with the national lines. The numbers were taken as given in the brief for
issue 14 and each row names the organisation's own page as its citation: VERIFY them against
those pages before shipping (docs/my-space.md) – we could not open the sites from here."""

from django.db import migrations

LINES = [
    {
        "name_en": "Meic",
        "name_cy": "Meic",
        "what_en": "Help and advice for children and young people in Wales, in Welsh or English. Free.",
        "what_cy": "Help a chyngor i blant a phobl ifanc yng Nghymru, yn Gymraeg neu yn Saesneg. Am ddim.",
        "phone": "080880 23456",
        "text_number": "84001",
        "welsh_phone": "",
        "citation": "https://www.meic.cymru/",
        "order": 1,
    },
    {
        "name_en": "Childline",
        "name_cy": "Childline",
        "what_en": "Talk to someone about anything. For anyone under 19. Free.",
        "what_cy": "Siarad â rhywun am unrhyw beth. I unrhyw un dan 19 oed. Am ddim.",
        "phone": "0800 1111",
        "text_number": "",
        "welsh_phone": "",
        "citation": "https://www.childline.org.uk/",
        "order": 2,
    },
    {
        "name_en": "Samaritans",
        "name_cy": "Samaritans",
        "what_en": "Someone to listen, day or night. Free.",
        "what_cy": "Rhywun i wrando, ddydd neu nos. Am ddim.",
        "phone": "116 123",
        "text_number": "",
        "welsh_phone": "0808 164 0123",
        "citation": "https://www.samaritans.org/",
        "order": 3,
    },
]


def seed(apps, schema_editor):
    HelpLine = apps.get_model("myspace", "HelpLine")
    for line in LINES:
        HelpLine.objects.get_or_create(name_en=line["name_en"], defaults=line)


def unseed(apps, schema_editor):
    HelpLine = apps.get_model("myspace", "HelpLine")
    HelpLine.objects.filter(name_en__in=[line["name_en"] for line in LINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("myspace", "0003_yppages")]

    operations = [migrations.RunPython(seed, unseed)]
