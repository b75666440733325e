"""Each consent form's answers reach its service whole (issue 12 A5): the views pass
``service_values(form, XValues)``, which keeps only the keys the typed input names, so a form
field missing from it would be dropped silently. The form's fields and the keys are the same list."""

from __future__ import annotations

import pytest

from consent import forms, services
from core.text_language import FIELD_NAME


@pytest.mark.parametrize(
    ("form", "shape"),
    [
        (forms.ConsentForm, services.ConsentValues),
        (forms.RefusalForm, services.RefusalValues),
        (forms.SafeguardingShareForm, services.SafeguardingShareValues),
    ],
)
def test_the_typed_input_names_every_field_of_its_form(form, shape):
    # The language of the text is added to each form by TextLanguageFormMixin.
    assert set(form.base_fields) | {FIELD_NAME} == set(shape.__annotations__)
