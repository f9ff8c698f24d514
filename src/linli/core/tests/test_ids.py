"""Tests for linli.core.ids: resident IDs, credit codes, division codes, mobiles."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linli.core.errors import Invalid
from linli.core.ids import (
    CREDIT_CODE_CHARSET,
    FAKE_MOBILE_PREFIX,
    check_credit_code,
    check_division_code,
    check_mobile,
    check_resident_id,
    credit_code_check_char,
    division_parent,
    fake_mobile,
    fake_resident_id,
    resident_id_check_char,
    validate_credit_code,
    validate_division_code,
    validate_mobile,
    validate_resident_id,
)

# The worked example in GB 11643-1999 itself.
STANDARD_ID = "11010519491231002X"
# Published valid credit codes: 91350100M000100Y43 is the example widely quoted
# for GB 32100-2015; 91310110666007217T is asserted valid in dromara/hutool
# hutool-core/src/test/java/cn/hutool/core/util/CreditCodeUtilTest.java.
VALID_CREDIT_CODES = ["91350100M000100Y43", "91310110666007217T", "91310115591693856A"]
TODAY = date(2025, 6, 1)

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def _code(call, *args, **kwargs) -> str:
    """The rule code of the Invalid raised by ``call``."""
    with pytest.raises(Invalid) as info:
        call(*args, **kwargs)
    return info.value.code


# --- resident IDs -----------------------------------------------------------


def test_check_char_of_the_standard_example_is_x():
    assert resident_id_check_char(STANDARD_ID[:17]) == "X"


def test_check_char_rejects_input_that_is_not_17_digits():
    with pytest.raises(ValueError):
        resident_id_check_char("1234")


def test_standard_example_is_accepted():
    assert check_resident_id(STANDARD_ID) == STANDARD_ID


def test_lower_case_x_and_surrounding_spaces_are_normalised():
    assert check_resident_id(" 11010519491231002x ") == STANDARD_ID


def test_fifteen_digit_first_generation_id_is_rejected_for_its_length():
    assert _code(check_resident_id, "110105491231002") == "resident_id_length"


def test_letter_inside_the_first_17_characters_is_rejected():
    with pytest.raises(Invalid) as info:
        check_resident_id("1101051949123100AX")
    assert info.value.code == "resident_id_chars"
    assert "17" in info.value.en


def test_letter_other_than_x_as_last_character_is_rejected():
    assert _code(check_resident_id, "11010519491231002Y") == "resident_id_chars"


def test_unknown_province_prefix_is_rejected():
    first17 = "99010519491231002"
    assert _code(check_resident_id, first17 + resident_id_check_char(first17)) == (
        "resident_id_province"
    )


def test_birth_date_that_does_not_exist_is_rejected():
    first17 = "11010519490230002"  # 30 February
    with pytest.raises(Invalid) as info:
        check_resident_id(first17 + resident_id_check_char(first17))
    assert info.value.code == "resident_id_birth_date"
    assert "not a real date" in info.value.en


def test_birth_date_before_1900_is_rejected_even_with_a_valid_check_char():
    # The standard's second example (born 1880) has a correct check character.
    with pytest.raises(Invalid) as info:
        check_resident_id("440524188001010014")
    assert "before 1900" in info.value.en


def test_birth_date_in_the_future_is_rejected():
    first17 = "41030320300101001"
    with pytest.raises(Invalid) as info:
        check_resident_id(first17 + resident_id_check_char(first17), today=TODAY)
    assert "in the future" in info.value.en


def test_wrong_check_char_is_rejected_naming_the_expected_one():
    with pytest.raises(Invalid) as info:
        check_resident_id("110105194912310021")
    assert info.value.code == "resident_id_checksum"
    assert info.value.zh == "身份证号码校验位错误,应为 X"
    assert info.value.en == "resident ID check character is wrong, expected X"


@given(seeds, st.one_of(st.none(), st.booleans()))
def test_every_fake_resident_id_passes_the_checker(seed, female):
    value = fake_resident_id(random.Random(seed), female=female)
    assert check_resident_id(value) == value


@given(seeds)
def test_fake_resident_id_uses_the_requested_area_and_birth_range(seed):
    value = fake_resident_id(
        random.Random(seed), area="410302", birth_from=date(1950, 1, 1), birth_to=date(1950, 12, 31)
    )
    assert value.startswith("4103021950")


@given(seeds, st.booleans())
def test_fake_resident_id_encodes_sex_in_the_17th_digit(seed, female):
    value = fake_resident_id(random.Random(seed), female=female)
    assert (int(value[16]) % 2 == 0) is female


@given(seeds, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_every_single_character_change_to_a_valid_id_is_rejected(seed, position, char):
    valid = fake_resident_id(random.Random(seed))
    changed = valid[:position] + char + valid[position + 1 :]
    if changed != valid:
        with pytest.raises(Invalid):
            check_resident_id(changed)


# --- credit codes -----------------------------------------------------------


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_published_credit_codes_have_the_check_char_our_function_computes(code):
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_published_credit_codes_are_accepted(code):
    assert check_credit_code(code) == code


def test_credit_code_is_normalised_to_upper_case():
    assert check_credit_code("91350100m000100y43") == "91350100M000100Y43"


def test_credit_code_check_sum_of_31_maps_to_zero():
    # A 17-character body whose weighted sum is a multiple of 31.
    assert credit_code_check_char("0" * 17) == "0"


def test_credit_code_of_wrong_length_is_rejected():
    assert _code(check_credit_code, "91350100M000100Y4") == "credit_code_length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_code_with_an_excluded_letter_is_rejected(letter):
    assert _code(check_credit_code, f"91350100M000100{letter}43") == "credit_code_chars"


def test_credit_code_with_unknown_registration_authority_is_rejected():
    body = "B1350100M000100Y4"
    assert _code(check_credit_code, body + credit_code_check_char(body)) == (
        "credit_code_authority"
    )


def test_credit_code_with_letters_in_the_division_part_is_rejected():
    body = "9135A100M000100Y4"
    assert _code(check_credit_code, body + credit_code_check_char(body)) == ("credit_code_division")


def test_credit_code_with_wrong_check_char_is_rejected_naming_the_expected_one():
    # dromara/hutool CreditCodeUtilTest: an early pilot code that fails the standard check.
    with pytest.raises(Invalid) as info:
        check_credit_code("91350211M00013FA1N")
    assert info.value.code == "credit_code_checksum"
    assert info.value.en.endswith("expected 3")


@given(
    st.sampled_from(VALID_CREDIT_CODES),
    st.integers(min_value=0, max_value=17),
    st.sampled_from(CREDIT_CODE_CHARSET),
)
def test_every_single_character_change_to_a_valid_credit_code_is_rejected(code, position, char):
    changed = code[:position] + char + code[position + 1 :]
    if changed != code:
        with pytest.raises(Invalid):
            check_credit_code(changed)


# --- division codes ---------------------------------------------------------


def test_xigong_district_code_is_a_valid_district():
    assert check_division_code("410303", "district") == "410303"


def test_prefecture_code_ending_in_00_is_not_a_district():
    assert _code(check_division_code, "410300", "district") == "division_not_district"


def test_division_code_with_unknown_province_is_rejected():
    assert _code(check_division_code, "990303") == "division_province"


def test_subdistrict_code_is_district_plus_three_digits():
    assert check_division_code("410303001", "subdistrict") == "410303001"


def test_subdistrict_code_ending_in_000_is_rejected():
    assert _code(check_division_code, "410303000") == "division_not_subdistrict"


def test_community_code_is_subdistrict_plus_three_digits():
    assert check_division_code("410303001001", "community") == "410303001001"


def test_community_code_ending_in_000_is_rejected():
    assert _code(check_division_code, "410303001000") == "division_not_community"


def test_division_code_length_must_match_the_requested_level():
    with pytest.raises(Invalid) as info:
        check_division_code("410303", "community")
    assert info.value.code == "division_length"
    assert "12" in info.value.en


def test_division_code_of_unusual_length_is_rejected_when_level_is_inferred():
    assert _code(check_division_code, "41030300") == "division_length"


def test_division_code_with_non_digits_is_rejected():
    assert _code(check_division_code, "41O303") == "division_chars"


def test_parent_of_a_community_is_its_subdistrict():
    assert division_parent("410303001001") == "410303001"


def test_parent_of_a_subdistrict_is_its_district():
    assert division_parent("410303001") == "410303"


def test_district_has_no_parent_among_the_supported_levels():
    assert division_parent("410303") is None


def test_parent_of_an_invalid_code_raises():
    with pytest.raises(Invalid):
        division_parent("4103")


# --- mobiles ----------------------------------------------------------------


def test_bare_mobile_number_is_accepted():
    assert check_mobile("13800138000") == "13800138000"


@pytest.mark.parametrize(
    "raw", ["+86 138 0013 8000", "0086-138-0013-8000", "8613800138000", "+8613800138000"]
)
def test_mobile_country_prefix_spaces_and_hyphens_are_stripped(raw):
    assert check_mobile(raw) == "13800138000"


def test_mobile_with_ten_digits_is_rejected():
    assert _code(check_mobile, "1380013800") == "mobile_length"


def test_mobile_with_second_digit_2_is_rejected():
    assert _code(check_mobile, "12800138000") == "mobile_prefix"


def test_landline_number_is_rejected_as_a_mobile():
    assert _code(check_mobile, "03796321234") == "mobile_prefix"


def test_mobile_with_letters_is_rejected():
    assert _code(check_mobile, "1380013800O") == "mobile_chars"


def test_fake_mobile_prefix_is_seven_digits():
    assert len(FAKE_MOBILE_PREFIX) == 3 and FAKE_MOBILE_PREFIX.isdigit()


@given(seeds)
def test_every_fake_mobile_is_in_the_fake_range_and_passes_the_checker(seed):
    value = fake_mobile(random.Random(seed))
    assert value.startswith(FAKE_MOBILE_PREFIX)
    assert check_mobile(value) == value


# --- Django validators ------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "good"),
    [
        (validate_resident_id, STANDARD_ID),
        (validate_credit_code, "91350100M000100Y43"),
        (validate_mobile, "13800138000"),
        (validate_division_code, "410303001"),
    ],
)
def test_validators_accept_good_values_silently(validator, good):
    assert validator(good) is None


@pytest.mark.parametrize(
    ("validator", "bad", "code"),
    [
        (validate_resident_id, "110105194912310021", "resident_id_checksum"),
        (validate_credit_code, "91350100M000100Y44", "credit_code_checksum"),
        (validate_mobile, "12800138000", "mobile_prefix"),
        (validate_division_code, "410303000", "division_not_subdistrict"),
    ],
)
def test_validators_raise_validation_error_with_both_languages(validator, bad, code):
    with pytest.raises(ValidationError) as info:
        validator(bad)
    assert info.value.code == code
    message = info.value.messages[0]
    assert "(" in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_validators_are_module_level_so_migrations_can_serialise_them():
    for validator in (
        validate_resident_id,
        validate_credit_code,
        validate_mobile,
        validate_division_code,
    ):
        assert validator.__module__ == "linli.core.ids"
        assert validator.__qualname__ == validator.__name__
