"""Encryption, keyed hashes and masks of personal data (linli.core.crypto)."""

from __future__ import annotations

import base64
import json
import logging
import pickle
import random
import subprocess
import sys
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from linli.core import crypto
from linli.core.crypto import (
    DecryptionError,
    SensitiveValue,
    decrypt,
    encrypt,
    keyed_hash,
    mask_id_number,
    mask_phone,
    reveal,
    scrub,
)
from linli.core.ids import fake_mobile, fake_resident_id

ID = "110101199003071234"  # shape only: the tests below need no valid checksum
PHONE = "13812345678"
OTHER_KEY = base64.b64encode(bytes(range(32))).decode()


# --- encryption ------------------------------------------------------------------------------


def test_encrypted_text_decrypts_to_the_plaintext():
    assert decrypt(encrypt(ID, kind="id_number"), kind="id_number") == ID


def test_a_token_is_versioned_and_carries_no_plaintext():
    token = encrypt(ID, kind="id_number")
    assert token.startswith("v1:")
    assert ID not in token and ID[-4:] not in base64.b64decode(token[3:]).hex()


def test_two_encryptions_of_the_same_value_differ_by_their_nonce():
    first, second = encrypt(PHONE, kind="phone"), encrypt(PHONE, kind="phone")
    assert first != second
    assert base64.b64decode(first[3:])[:12] != base64.b64decode(second[3:])[:12]


def test_decrypting_with_another_data_key_fails_loudly():
    token = encrypt(ID, kind="id_number")
    with (
        override_settings(LINLI_DATA_KEY=OTHER_KEY),
        pytest.raises(DecryptionError, match="LINLI_DATA_KEY"),
    ):
        decrypt(token, kind="id_number")


def test_a_token_does_not_decrypt_as_another_kind_of_value():
    token = encrypt(PHONE, kind="phone")
    with pytest.raises(DecryptionError):
        decrypt(token, kind="id_number")


def test_plaintext_left_in_a_column_is_refused_not_returned():
    with pytest.raises(DecryptionError, match="not encrypted"):
        decrypt(ID, kind="id_number")


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_data_key_is_a_configuration_error(key):
    with (
        override_settings(LINLI_DATA_KEY=key),
        pytest.raises(ImproperlyConfigured, match="LINLI_DATA_KEY"),
    ):
        encrypt(ID, kind="id_number")


def test_without_a_data_key_development_derives_one_and_says_so(caplog):
    with override_settings(LINLI_DATA_KEY="", LINLI_HASH_KEY=""):
        with caplog.at_level(logging.WARNING, logger="linli.core.crypto"):
            token = encrypt(PHONE, kind="phone")
        assert decrypt(token, kind="phone") == PHONE
    assert "LINLI_DATA_KEY is not set" in caplog.text


def test_production_settings_refuse_to_start_without_a_data_key():
    result = subprocess.run(
        [sys.executable, "-c", "import linli.settings"],
        env={"PATH": "/usr/bin:/bin", "DEBUG": "0", "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "LINLI_DATA_KEY must be set" in result.stderr


def test_keys_generate_prints_a_pair_that_encrypts_and_hashes():
    out = StringIO()
    call_command("keys", "generate", stdout=out)
    pairs = dict(line.split("=", 1) for line in out.getvalue().split())
    assert set(pairs) == {"LINLI_DATA_KEY", "LINLI_HASH_KEY"}
    assert pairs["LINLI_DATA_KEY"] != pairs["LINLI_HASH_KEY"]
    with override_settings(**pairs):
        assert decrypt(encrypt(ID, kind="id_number"), kind="id_number") == ID
        assert len(keyed_hash("id_number", ID)) == 64


# --- keyed hashes ----------------------------------------------------------------------------


def test_keyed_hash_is_stable_hex():
    assert keyed_hash("phone", PHONE) == keyed_hash("phone", PHONE)
    assert len(keyed_hash("phone", PHONE)) == 64
    int(keyed_hash("phone", PHONE), 16)


def test_keyed_hash_keeps_kinds_apart():
    assert keyed_hash("id_number", "13812345678") != keyed_hash("phone", "13812345678")


def test_keyed_hash_depends_on_the_hash_key():
    before = keyed_hash("phone", PHONE)
    with override_settings(LINLI_HASH_KEY=OTHER_KEY):
        assert keyed_hash("phone", PHONE) != before


def test_keyed_hash_is_over_the_normalised_value():
    assert keyed_hash("id_number", "11010119900307123x") == keyed_hash(
        "id_number", " 11010119900307123X"
    )
    assert keyed_hash("phone", "+86 138-1234-5678") == keyed_hash("phone", PHONE)


# --- masks -----------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=2**32))
def test_a_resident_id_mask_keeps_the_first_six_and_last_four(seed):
    value = fake_resident_id(random.Random(seed))
    masked = mask_id_number(value)
    assert masked == value[:6] + "********" + value[-4:]
    assert value[6:14] not in masked, "the birth date is hidden"


@given(st.integers(min_value=0, max_value=2**32))
def test_a_mobile_mask_keeps_the_first_three_and_last_four(seed):
    value = fake_mobile(random.Random(seed))
    assert mask_phone(value) == value[:3] + "****" + value[-4:]


def test_the_documented_examples_mask_as_documented():
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("value", ["1234", "1381234567", "138123456789", "4103031980"])
def test_short_or_odd_values_are_masked_wholly(value):
    assert mask_id_number(value) == mask_phone(value) == "*" * len(value)


def test_scrub_replaces_each_spelling_of_a_value_by_its_mask():
    message = "mobile number '1381234567O' must contain digits only"
    assert "1381234567O" not in scrub(message, "+86 1381234567O", "phone")
    assert scrub(f"ID {ID} is wrong", ID, "id_number") == "ID 110101********1234 is wrong"


# --- SensitiveValue --------------------------------------------------------------------------


def test_a_sensitive_value_prints_masked_everywhere_text_is_made():
    value = SensitiveValue(PHONE, "phone")
    assert str(value) == "138****5678"
    assert repr(value) == "'138****5678'"
    assert f"{value}" == f"{value:>11}" == "138****5678"
    assert "%s %r" % (value, value) == "138****5678 '138****5678'"  # noqa: UP031
    assert PHONE not in logging.Formatter().format(
        logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", (value,), None)
    )


def test_a_sensitive_value_reveals_its_plaintext_on_request():
    assert SensitiveValue(ID, "id_number").reveal() == ID
    assert reveal(SensitiveValue(ID, "id_number")) == reveal(ID) == ID
    assert reveal(None) == ""


def test_a_stored_value_decrypts_only_when_used():
    value = SensitiveValue.from_token(encrypt(ID, kind="id_number"), "id_number")
    assert value.from_storage and bool(value)
    assert value == ID and value.reveal() == ID


def test_a_sensitive_value_equals_and_hashes_like_its_plaintext():
    value = SensitiveValue(ID, "id_number")
    assert value == ID and ID == value and value != "x"  # noqa: SIM300 (both operand orders)
    assert value == SensitiveValue(ID, "id_number")
    assert {ID: 1}[value] == 1
    assert len(value) == 18 and value and not SensitiveValue("", "phone")


def test_a_sensitive_value_is_json_serialisable_only_through_str():
    value = SensitiveValue(PHONE, "phone")
    for encoder in (json.JSONEncoder, DjangoJSONEncoder):
        with pytest.raises(TypeError):
            json.dumps({"phone": value}, cls=encoder)
    assert json.dumps({"phone": str(value)}) == '{"phone": "138****5678"}'


def test_a_pickled_sensitive_value_holds_ciphertext_only():
    value = SensitiveValue(ID, "id_number")
    data = pickle.dumps(value)
    assert ID.encode() not in data
    assert pickle.loads(data) == ID


def test_text_operations_on_a_sensitive_value_fail_instead_of_leaking():
    value = SensitiveValue(PHONE, "phone")
    with pytest.raises(TypeError):
        "".join([value])  # type: ignore[list-item]
    with pytest.raises(AttributeError):
        value.startswith("138")  # type: ignore[attr-defined]


def test_keys_are_reloaded_when_the_settings_change():
    with override_settings(LINLI_DATA_KEY=OTHER_KEY):
        token = encrypt(ID, kind="id_number")
        assert crypto._keys is not None
    with pytest.raises(DecryptionError):
        decrypt(token, kind="id_number")
