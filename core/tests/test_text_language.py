"""Free text carries its language (WCAG 3.1.2): the field, the form radios and ``lang_attr``."""

from __future__ import annotations

import types

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from core.text_language import TextLanguage, TextLanguageFormMixin, language_of


def render(obj) -> str:
    return Template("<p{% lang_attr obj %}>x</p>").render(Context({"obj": obj}))


def test_known_languages_are_marked_and_undetermined_text_is_not_guessed():
    assert render(types.SimpleNamespace(text_language="cy")) == '<p lang="cy">x</p>'
    assert render(types.SimpleNamespace(text_language="en")) == '<p lang="en">x</p>'
    # Rows from before the language was recorded: no attribute at all, on any page.
    with translation.override("cy"):
        assert render(types.SimpleNamespace(text_language="")) == "<p>x</p>"
    assert render(types.SimpleNamespace()) == "<p>x</p>"
    # Anything else stored there is not trusted into the markup.
    assert render(types.SimpleNamespace(text_language='cy" onclick="x')) == "<p>x</p>"
    assert language_of(None) == ""


class NoteForm(TextLanguageFormMixin, forms.Form):
    note = forms.CharField()


@pytest.mark.parametrize(("interface", "expected"), [("cy", "cy"), ("en", "en")])
def test_the_form_defaults_to_the_writers_interface_language(interface, expected):
    with translation.override(interface):
        form = NoteForm()
        assert form.fields["text_language"].initial == expected
        html = str(form)
    assert f'value="{expected}" checked' in html.replace('" checked', '" checked')
    # The radios name each language in itself, marked with its own lang.
    assert '<label class="govuk-label govuk-radios__label" for="id_text_language_0" lang="cy">Cymraeg</label>' in html
    assert 'lang="en">English</label>' in html


def test_the_writer_changes_it_and_a_post_without_it_takes_the_interface_language():
    with translation.override("en"):
        chosen = NoteForm({"note": "Mae hi'n hapus.", "text_language": "cy"})
        assert chosen.is_valid() and chosen.cleaned_data["text_language"] == TextLanguage.WELSH
        missing = NoteForm({"note": "Happy."})
        assert missing.is_valid() and missing.cleaned_data["text_language"] == "en"
        wrong = NoteForm({"note": "x", "text_language": "fr"})
        assert not wrong.is_valid()


class OptionalForm(forms.Form):
    name = forms.CharField()
    nickname = forms.CharField(required=False)
    colours = forms.MultipleChoiceField(
        choices=[("r", "Red"), ("b", "Blue")], required=False, widget=forms.CheckboxSelectMultiple
    )
    review = forms.CharField(required=False, label="Review date (optional)")
    agree = forms.BooleanField(required=False, label="Tick to agree")


def test_optional_is_visible_in_labels_and_legends_and_said_once():
    """GOV.UK: "(optional)" is in the label or legend text for everyone, not only for screen
    readers; never twice, never on a required field, a single checkbox or the language radios."""
    html = str(OptionalForm())
    assert '<label class="govuk-label govuk-label--s" for="id_nickname">Nickname (optional)</label>' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Colours (optional)</legend>' in html
    assert '<label class="govuk-label govuk-label--s" for="id_name">Name</label>' in html
    assert "Review date (optional) (optional)" not in html and "Review date (optional)</label>" in html
    assert "Tick to agree (optional)" not in html
    assert "govuk-visually-hidden" not in html
    with translation.override("cy"):
        welsh = str(OptionalForm())
    assert "Nickname (dewisol)</label>" in welsh
    assert "Language of this text (optional)" not in str(NoteForm())


class ReasonForm(TextLanguageFormMixin, forms.Form):
    text_language_after = "reason"

    reason = forms.CharField()
    when = forms.DateField(required=False)


def test_the_radios_follow_the_text_they_are_about():
    assert list(ReasonForm().fields) == ["reason", "text_language", "when"]
    assert list(NoteForm().fields) == ["note", "text_language"]
