"""Welsh parity: every message has Welsh, no template holds untranslated text, Django's own
gaps in Welsh are filled, and every page exists under /en/ and /cy/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PO = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
GAPS_PO = ROOT / "locale-django" / "cy" / "LC_MESSAGES" / "django.po"
DJANGO = Path(__import__("django").__file__).parent
# The Django catalogues a Nyth user can meet: validation, dates, pagination, sign-in, passwords.
DJANGO_CATALOGUES = [
    DJANGO / "conf" / "locale" / "cy" / "LC_MESSAGES" / "django.po",
    DJANGO / "contrib" / "auth" / "locale" / "cy" / "LC_MESSAGES" / "django.po",
]
# Every Nyth app (a folder with apps.py), the settings and the catalogue.
SOURCE_DIRS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists()) + ["config", "locale"]


def missing_welsh(po: polib.POFile) -> list[str]:
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not all(entry.msgstr_plural.get(i) for i in range(4)):
                problems.append(f"plural forms missing: {entry.msgid!r}")
        elif not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory) -> polib.POFile:
    """Extract messages from the code as it is now (makemessages in a copy of the project), so a
    new string without Welsh fails here even if nobody updated the .po file."""
    workdir = tmp_path_factory.mktemp("messages")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, workdir / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    shutil.copy(ROOT / "manage.py", workdir / "manage.py")
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "cy",
            "--no-location",
            "--ignore=locale-django",
            "--ignore=*/tests/*",
        ],
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "NYTH_DEMO": "1", "PYTHONPATH": str(workdir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return polib.pofile(str(workdir / "locale" / "cy" / "LC_MESSAGES" / "django.po"))


def test_every_message_in_the_code_has_welsh(fresh_catalogue):
    assert len(fresh_catalogue) > 100
    assert missing_welsh(fresh_catalogue) == []


def test_committed_catalogue_is_complete_and_keeps_placeholders():
    po = polib.pofile(str(PROJECT_PO))
    assert missing_welsh(po) == []
    for entry in po:
        if entry.obsolete or not entry.msgstr:
            continue
        placeholders = set(re.findall(r"%\(\w+\)[sd]", entry.msgid))
        assert placeholders == set(re.findall(r"%\(\w+\)[sd]", entry.msgstr)), entry.msgid


def test_plural_forms_match_djangos_welsh():
    ours = polib.pofile(str(PROJECT_PO)).metadata["Plural-Forms"]
    djangos = polib.pofile(str(DJANGO_CATALOGUES[0])).metadata["Plural-Forms"]
    assert ours.replace(" ", "") == djangos.replace(" ", "")


def test_djangos_missing_welsh_is_supplied_and_used():
    gaps = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(GAPS_PO)) if not e.obsolete}
    checked = 0
    for catalogue in DJANGO_CATALOGUES:
        for entry in polib.pofile(str(catalogue)):
            if entry.obsolete or entry.translated():
                continue
            ours = gaps.get((entry.msgctxt, entry.msgid))
            assert ours is not None and ours.translated(), f"no Welsh for Django's {entry.msgid!r}"
            with translation.override("cy"):
                if entry.msgid_plural:
                    got = translation.ngettext(entry.msgid, entry.msgid_plural, 3)
                    assert got == ours.msgstr_plural[2], entry.msgid
                elif entry.msgctxt:
                    assert translation.pgettext(entry.msgctxt, entry.msgid) == ours.msgstr
                else:
                    assert translation.gettext(entry.msgid) == ours.msgstr, entry.msgid
            checked += 1
    assert checked >= 80  # Django 5.2 leaves about 87 of these without Welsh


def test_django_messages_users_meet_are_welsh():
    from django import forms

    with translation.override("cy"):
        field = forms.CharField(max_length=3)
        with pytest.raises(forms.ValidationError) as error:
            field.clean("abcd")
        assert "Ensure this value" not in str(error.value.messages)
        assert translation.gettext("Enter a valid date.") != "Enter a valid date."


# --- Templates: no literal text outside translation tags -----------------------------------
TAG_BLOCKS = [
    re.compile(r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}", re.S),
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<script.*?</script>", re.S),
    re.compile(r"<svg.*?</svg>", re.S),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
ATTRIBUTE_TEXT = re.compile(r'\s(?:alt|title|aria-label|placeholder)="([^"]*)"')
# Not words to translate: punctuation, symbols, language names shown in their own language.
ALLOWED_TEXT = {"–", "!", "→", "(", ")", ":", "English", "Cymraeg", "/", "|", ","}


def literal_text(source: str) -> list[str]:
    found = [value for value in ATTRIBUTE_TEXT.findall(source) if re.search(r"[A-Za-z]", value) and "{" not in value]
    for pattern in TAG_BLOCKS:
        source = pattern.sub(" ", source)
    text = re.sub(r"<[^>]+>", " ", source)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    for token in text.split():
        if token not in ALLOWED_TEXT and re.search(r"[A-Za-zÀ-ÿŵŷ]", token):
            found.append(token)
    return found


def test_literal_text_detector_works():
    assert literal_text("<p>Hello {{ name }}</p>") == ["Hello"]
    assert literal_text('<img alt="A picture">') == ["A picture"]
    assert literal_text("<p>{% translate 'Hello' %} – {{ x }}</p>") == []


def test_templates_have_no_untranslated_literal_text():
    problems = {}
    templates = [p for p in ROOT.glob("*/templates/**/*.html") if ".venv" not in p.parts]
    assert len(templates) > 15
    for template in templates:
        found = literal_text(template.read_text())
        if found:
            problems[str(template.relative_to(ROOT))] = found
    assert problems == {}


# --- Pages in both languages --------------------------------------------------------------
@pytest.mark.django_db
def test_pages_exist_in_both_languages(client_for, alice, child):
    client = client_for(alice)
    for language, expected in (("en", "Children and young people"), ("cy", "Plant a phobl ifanc")):
        with translation.override(language):
            url = reverse("people:list")
        assert url.startswith(f"/{language}/")
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert f'lang="{language}"' in body
        assert expected in body


@pytest.mark.django_db
def test_unprefixed_address_goes_to_the_browsers_language(client):
    # No language cookie is set any more (ADR 010): the browser's preference picks the prefix.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="cy")
    assert response.status_code == 302
    assert response["Location"].startswith("/cy/")


@pytest.mark.django_db
def test_language_switch_links_point_to_the_same_page(client_for, alice):
    body = client_for(alice).get("/en/children/").content.decode()
    assert 'hreflang="cy"' in body
    assert 'href="/cy/children/"' in body


def test_djangos_wrong_welsh_is_corrected():
    with translation.override("cy"):
        assert translation.gettext("Enter a valid date.") == "Rhowch ddyddiad dilys."
        assert translation.gettext("July") == "Gorffennaf"
        assert translation.pgettext("alt. month", "July") == "Gorffennaf"
