"""Completing a transition: every answer of the form reaches ``complete_transition`` (issue 12
A5). ``service_values`` keeps only the keys ``CompletionValues`` names, so the form's fields
(bar the hidden version, which is passed on its own) and those keys are the same list."""

from __future__ import annotations

from core.text_language import FIELD_NAME
from episodes import services
from episodes.forms import CompleteTransitionForm


def test_the_completion_input_names_every_field_of_its_form():
    fields = set(CompleteTransitionForm.base_fields) | {FIELD_NAME}
    assert fields - {"version"} == set(services.CompletionValues.__annotations__)
