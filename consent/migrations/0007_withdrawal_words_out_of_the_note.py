"""Withdrawals recorded before the words were kept apart stored them inside the note, after a
translated label ("The young person's words: …", in the writer's language). Move the words out
where the note ends with that label in either language – a match, never a guess – and leave
every other note as it is. Their language stays undetermined (ADR 015)."""

from django.db import migrations

#: The label as it was stored, in English and in Welsh (the old message and its translation).
LABELS = ("The young person's words: ", "Geiriau'r person ifanc: ")


def split_note(note: str) -> tuple[str, str] | None:
    """(note, words) when the note's last paragraph is the labelled words, else None."""
    head, _sep, last = note.rpartition("\n\n")
    for label in LABELS:
        if last.startswith(label) and last[len(label) :].strip():
            return head.strip(), last[len(label) :].strip()
    return None


def move_words_out(apps, schema_editor):
    ConsentDecision = apps.get_model("consent", "ConsentDecision")
    for consent in ConsentDecision.objects.filter(withdrawal_words="").exclude(withdrawal_note=""):
        parts = split_note(consent.withdrawal_note)
        if parts is not None:
            consent.withdrawal_note, consent.withdrawal_words = parts
            consent.save(update_fields=["withdrawal_note", "withdrawal_words"])


class Migration(migrations.Migration):
    dependencies = [("consent", "0006_refusal_and_safeguarding_decision_language")]

    operations = [migrations.RunPython(move_words_out, migrations.RunPython.noop)]
