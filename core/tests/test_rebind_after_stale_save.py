"""``core.forms.rebind_after_stale_save``: the one "someone saved first" branch, also for a form
whose hidden field is not ``version`` (an assessment section's ``based_on``, counted in the
stored version's ``number``)."""

from __future__ import annotations

import types

from django import forms
from django.http import QueryDict

from core.forms import NythForm, rebind_after_stale_save


class _Versioned(NythForm):
    text = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class _BasedOn(NythForm):
    text = forms.CharField()
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def test_the_hidden_version_becomes_the_stored_one_and_what_was_typed_is_kept():
    data = QueryDict("text=Mine&version=1")
    form = rebind_after_stale_save(_Versioned, data, types.SimpleNamespace(version=3), "Someone saved first.")
    assert form["version"].value() == "3" and form["text"].value() == "Mine"
    assert form.non_field_errors() == ["Someone saved first."]
    assert data["version"] == "1"  # the request's own data is not changed


def test_a_form_names_its_hidden_field_and_the_attribute_that_counts_versions():
    stored = types.SimpleNamespace(number=2)  # an assessment SectionVersion: its number
    form = rebind_after_stale_save(
        _BasedOn,
        QueryDict("text=Mine&based_on=1"),
        stored,
        "Someone saved first.",
        version_field="based_on",
        version_attr="number",
    )
    assert form["based_on"].value() == "2" and form["text"].value() == "Mine"
    assert form.non_field_errors() == ["Someone saved first."]
    # Nothing stored yet (a section never written): based on 0.
    form = rebind_after_stale_save(
        _BasedOn, QueryDict("text=Mine&based_on=1"), None, "x", version_field="based_on", version_attr="number"
    )
    assert form["based_on"].value() == "0"


def test_a_prefixed_form_has_its_hidden_field_under_the_prefix():
    form = rebind_after_stale_save(
        _BasedOn,
        QueryDict("s-text=Mine&s-based_on=1"),
        types.SimpleNamespace(number=5),
        "x",
        version_field="based_on",
        version_attr="number",
        prefix="s",
    )
    assert form["based_on"].value() == "5"
