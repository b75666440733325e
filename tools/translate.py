"""Write Welsh into locale/cy/LC_MESSAGES/django.po from a small JSON file of translations.

Usage: .venv/bin/python tools/translate.py translations.json
The JSON maps msgid to a string, or (for plurals) to a list of the four Welsh forms.
Entries given here lose any "fuzzy" flag; nothing else in the catalogue changes.
"""

import json
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "cy" / "LC_MESSAGES" / "django.po"


def main(path: str) -> None:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    po = polib.pofile(str(CATALOGUE), wrapwidth=79)
    done = 0
    for entry in po:
        if entry.obsolete or entry.msgid not in translations:
            continue
        value = translations[entry.msgid]
        if entry.msgid_plural:
            entry.msgstr_plural = {i: form for i, form in enumerate(value)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
        done += 1
    po.save()
    missing = set(translations) - {e.msgid for e in po}
    print(f"{done} entries written; not in catalogue: {sorted(missing)}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1])
