import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from people.demo import test_nhs_number as make_test_nhs_number
from people.identifiers import format_nhs_number, nhs_number_is_valid, validate_nhs_number


def check_digit(nine: str) -> int:
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    return (11 - total % 11) % 11


def test_known_valid_and_invalid_numbers():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert nhs_number_is_valid("943 476 5919")
    assert nhs_number_is_valid("943-476-5919")


@pytest.mark.parametrize("value", ["", "123", "94347659190", "94347659a9", "abcdefghij"])
def test_wrong_shapes_are_invalid(value):
    assert not nhs_number_is_valid(value)


def test_validation_messages_name_the_problem():
    with pytest.raises(ValidationError) as short:
        validate_nhs_number("12345")
    assert short.value.code == "nhs_length"
    with pytest.raises(ValidationError) as bad:
        validate_nhs_number("9434765918")
    assert bad.value.code == "nhs_check"
    validate_nhs_number("")  # optional field: empty is allowed


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_check_digit_rule_matches_the_definition(nine):
    check = check_digit(nine)
    if check == 10:
        # No tenth digit makes such a number valid.
        assert not any(nhs_number_is_valid(nine + str(d)) for d in range(10))
    else:
        assert nhs_number_is_valid(nine + str(check))
        assert all(not nhs_number_is_valid(nine + str(d)) for d in range(10) if d != check)


def test_formatting_is_three_three_four():
    assert format_nhs_number("9434765919") == "943 476 5919"


def test_demo_numbers_are_valid_and_in_the_test_range():
    import random

    rng = random.Random(1)
    for _ in range(200):
        number = make_test_nhs_number(rng)
        assert number.startswith("999")
        assert nhs_number_is_valid(number)
