"""Chinese identifiers: resident ID numbers, credit codes, division codes, mobiles.

Everything here is a pure function without ORM access. Checkers return the
normalised value or raise :class:`~linli.core.errors.Invalid` with a precise
bilingual reason; the ``validate_*`` functions at the bottom wrap them as
Django validators (module-level so migrations can serialise them).

Standards followed:

* GB 11643-1999 citizen identification number (ISO 7064 MOD 11-2 check).
* GB 32100-2015 unified social credit code (MOD 31 check).
* GB/T 2260 administrative division codes, extended to the 9-digit
  township (sub-district) and 12-digit village (community) codes used by
  the National Bureau of Statistics.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Literal

from linli.core.errors import Invalid, as_validation_error

__all__ = [
    "CREDIT_CODE_CHARSET",
    "CREDIT_REGISTRATION_AUTHORITIES",
    "FAKE_MOBILE_PREFIX",
    "PROVINCE_CODES",
    "DivisionLevel",
    "check_credit_code",
    "check_division_code",
    "check_mobile",
    "check_resident_id",
    "credit_code_check_char",
    "division_parent",
    "fake_mobile",
    "fake_resident_id",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_division_code",
    "validate_mobile",
    "validate_resident_id",
]

DivisionLevel = Literal["district", "subdistrict", "community"]

#: GB/T 2260 province-level codes (first two digits of every division code).
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)

_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11
_EARLIEST_BIRTH = date(1900, 1, 1)

#: GB 32100-2015 code alphabet: digits and capitals without I, O, Z, S, V.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

#: GB 32100-2015 appendix A registration authorities (first character).
CREDIT_REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

#: Fake mobile numbers are ``154`` + 8 digits. The 154 block has never been
#: allocated to an operator by MIIT (150-153 and 155-159 are in service), so
#: these numbers cannot reach a real subscriber, yet they pass :func:`check_mobile`.
FAKE_MOBILE_PREFIX = "154"

_MOBILE_SEPARATORS = str.maketrans("", "", " -\u3000\t")


def _text(value: object) -> str:
    """The value as stripped text (validators may receive non-strings)."""
    return "" if value is None else str(value).strip()


def _first_bad_char(text: str, allowed: str) -> tuple[int, str] | None:
    """1-based position and character of the first char not in ``allowed``."""
    for pos, char in enumerate(text, start=1):
        if char not in allowed:
            return pos, char
    return None


# --- Resident identity card number (GB 11643-1999) -------------------------


def resident_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("resident_id_check_char needs exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK_CHARS[total % 11]


def check_resident_id(value: str, *, today: date | None = None) -> str:
    """The normalised 18-character resident ID, or :class:`Invalid` saying why not.

    Checks, in order: length, characters, province prefix, birth date (real,
    not before 1900, not after ``today``), check character. A lower-case
    ``x`` is accepted and returned upper-case.
    """
    text = _text(value).upper()
    if len(text) != 18:
        raise Invalid(
            f"身份证号码应为 18 位,实际为 {len(text)} 位",
            f"resident ID must be 18 characters long, got {len(text)}",
            "resident_id_length",
        )
    bad = _first_bad_char(text[:17], "0123456789")
    if bad is None and text[17] not in "0123456789X":
        bad = (18, text[17])
    if bad is not None:
        pos, char = bad
        raise Invalid(
            f"身份证号码第 {pos} 位字符 {char!r} 无效(前 17 位须为数字,末位为数字或 X)",
            f"resident ID character {pos} ({char!r}) is invalid "
            "(first 17 must be digits, the last a digit or X)",
            "resident_id_chars",
        )
    if text[:2] not in PROVINCE_CODES:
        raise Invalid(
            f"身份证号码地址码的省级代码 {text[:2]} 不存在",
            f"resident ID address code starts with {text[:2]}, which is not a province code",
            "resident_id_province",
        )
    born = _birth_date(text[6:14])
    if born is None:
        raise Invalid(
            f"身份证号码中的出生日期 {text[6:14]} 不是有效日期",
            f"resident ID birth date {text[6:14]} is not a real date",
            "resident_id_birth_date",
        )
    if born < _EARLIEST_BIRTH:
        raise Invalid(
            f"身份证号码中的出生日期 {born.isoformat()} 早于 1900 年",
            f"resident ID birth date {born.isoformat()} is before 1900",
            "resident_id_birth_date",
        )
    if born > (today or date.today()):
        raise Invalid(
            f"身份证号码中的出生日期 {born.isoformat()} 在未来",
            f"resident ID birth date {born.isoformat()} is in the future",
            "resident_id_birth_date",
        )
    expected = resident_id_check_char(text[:17])
    if text[17] != expected:
        raise Invalid(
            f"身份证号码校验位错误,应为 {expected}",
            f"resident ID check character is wrong, expected {expected}",
            "resident_id_checksum",
        )
    return text


def _birth_date(yyyymmdd: str) -> date | None:
    """The date spelled by eight digits, or None if no such day exists."""
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def fake_resident_id(
    rng: random.Random,
    *,
    area: str = "410303",
    birth_from: date = date(1930, 1, 1),
    birth_to: date = date(2010, 12, 31),
    female: bool | None = None,
) -> str:
    """A random resident ID with a valid check character, for demo data.

    ``area`` is the 6-digit county code (default 410303, Xigong District);
    the 17th digit is even for women and odd for men, as in GB 11643.
    """
    area = check_division_code(area, "district")
    if birth_to < birth_from:
        raise ValueError("birth_to must not be before birth_from")
    born = birth_from + timedelta(days=rng.randint(0, (birth_to - birth_from).days))
    if female is None:
        female = rng.random() < 0.5
    sex_digit = rng.choice("02468" if female else "13579")
    first17 = f"{area}{born:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}"
    return first17 + resident_id_check_char(first17)


# --- Unified social credit code (GB 32100-2015) ----------------------------


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 MOD 31 check character for the first 17 characters."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_CHARSET for c in first17):
        raise ValueError("credit_code_check_char needs 17 characters of the GB 32100 charset")
    total = sum(
        CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    """The normalised (upper-case) 18-character credit code, or :class:`Invalid`.

    Checks, in order: length, alphabet (no I, O, Z, S, V), registration
    authority (first character), numeric division code (characters 3-8),
    check character.
    """
    text = _text(value).upper()
    if len(text) != 18:
        raise Invalid(
            f"统一社会信用代码应为 18 位,实际为 {len(text)} 位",
            f"credit code must be 18 characters long, got {len(text)}",
            "credit_code_length",
        )
    bad = _first_bad_char(text, CREDIT_CODE_CHARSET)
    if bad is not None:
        pos, char = bad
        raise Invalid(
            f"统一社会信用代码第 {pos} 位字符 {char!r} 无效"
            "(只允许数字和除 I、O、Z、S、V 外的大写字母)",
            f"credit code character {pos} ({char!r}) is invalid "
            "(only digits and capitals other than I, O, Z, S, V are allowed)",
            "credit_code_chars",
        )
    if text[0] not in CREDIT_REGISTRATION_AUTHORITIES:
        allowed = "".join(CREDIT_REGISTRATION_AUTHORITIES)
        raise Invalid(
            f"统一社会信用代码第 1 位登记管理部门代码 {text[0]} 无效,应为 {allowed} 之一",
            f"credit code registration authority {text[0]} is unknown, expected one of {allowed}",
            "credit_code_authority",
        )
    if not text[2:8].isdigit():
        raise Invalid(
            f"统一社会信用代码第 3-8 位登记管理机关行政区划码 {text[2:8]} 应全为数字",
            f"credit code division code (characters 3-8) {text[2:8]} must be all digits",
            "credit_code_division",
        )
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        raise Invalid(
            f"统一社会信用代码校验位错误,应为 {expected}",
            f"credit code check character is wrong, expected {expected}",
            "credit_code_checksum",
        )
    return text


# --- Administrative division codes (GB/T 2260 and NBS extensions) ----------

_LEVEL_BY_LENGTH: dict[int, DivisionLevel] = {6: "district", 9: "subdistrict", 12: "community"}
_LEVEL_LENGTHS: dict[str, int] = {level: n for n, level in _LEVEL_BY_LENGTH.items()}
_LEVEL_NAMES_ZH = {"district": "区县级", "subdistrict": "乡镇(街道)级", "community": "村(社区)级"}


def check_division_code(value: str, level: DivisionLevel | None = None) -> str:
    """The division code if well formed for ``level``, else :class:`Invalid`.

    * ``district``: 6-digit GB/T 2260 county-level code, real province prefix,
      not ending in ``00`` (that would be a prefecture or province).
    * ``subdistrict``: 9 digits, a valid district code plus 3 digits, not ``000``.
    * ``community``: 12 digits, a valid sub-district code plus 3 digits, not ``000``.

    With ``level`` None the level is inferred from the length (6, 9 or 12).
    """
    text = _text(value)
    if text and (not text.isascii() or not text.isdigit()):
        raise Invalid(
            f"行政区划代码 {text!r} 只能包含数字",
            f"division code {text!r} must contain digits only",
            "division_chars",
        )
    if level is None:
        inferred = _LEVEL_BY_LENGTH.get(len(text))
        if inferred is None:
            raise Invalid(
                f"行政区划代码应为 6、9 或 12 位,实际为 {len(text)} 位",
                f"division code must have 6, 9 or 12 digits, got {len(text)}",
                "division_length",
            )
        level = inferred
    want = _LEVEL_LENGTHS[level]
    if len(text) != want:
        raise Invalid(
            f"{_LEVEL_NAMES_ZH[level]}行政区划代码应为 {want} 位,实际为 {len(text)} 位",
            f"{level} division code must have {want} digits, got {len(text)}",
            "division_length",
        )
    if text[:2] not in PROVINCE_CODES:
        raise Invalid(
            f"行政区划代码的省级代码 {text[:2]} 不存在",
            f"division code starts with {text[:2]}, which is not a province code",
            "division_province",
        )
    if text[4:6] == "00":
        raise Invalid(
            f"行政区划代码 {text[:6]} 以 00 结尾,是地市或省级代码,不是区县级代码",
            f"division code {text[:6]} ends in 00: a prefecture or province, not a district",
            "division_not_district",
        )
    if want >= 9 and text[6:9] == "000":
        raise Invalid(
            f"乡镇(街道)代码第 7-9 位不能为 000({text[:9]})",
            f"sub-district code digits 7-9 must not be 000 ({text[:9]})",
            "division_not_subdistrict",
        )
    if want == 12 and text[9:12] == "000":
        raise Invalid(
            f"村(社区)代码第 10-12 位不能为 000({text})",
            f"community code digits 10-12 must not be 000 ({text})",
            "division_not_community",
        )
    return text


def division_parent(code: str) -> str | None:
    """The enclosing division's code: community -> sub-district -> district -> None.

    Raises :class:`Invalid` if ``code`` is not a valid division code.
    """
    text = check_division_code(code)
    return {12: text[:9], 9: text[:6]}.get(len(text))


# --- Mainland mobile numbers ------------------------------------------------


def check_mobile(value: str) -> str:
    """The bare 11-digit mainland mobile number, or :class:`Invalid`.

    Spaces and hyphens are removed and an optional ``+86``, ``0086`` or
    ``86`` country prefix is dropped. The number must be 11 digits,
    start with 1 and have a second digit from 3 to 9.
    """
    text = _text(value).translate(_MOBILE_SEPARATORS)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text.isascii() or not text.isdigit():
        raise Invalid(
            f"手机号码 {text!r} 只能包含数字(可带 +86 前缀、空格和连字符)",
            f"mobile number {text!r} must contain digits only "
            "(an optional +86 prefix, spaces and hyphens are allowed)",
            "mobile_chars",
        )
    if len(text) != 11:
        raise Invalid(
            f"手机号码应为 11 位,实际为 {len(text)} 位",
            f"mobile number must have 11 digits, got {len(text)}",
            "mobile_length",
        )
    if text[0] != "1" or text[1] not in "3456789":
        raise Invalid(
            f"手机号码号段 {text[:3]} 无效,应以 13-19 开头",
            f"mobile number prefix {text[:3]} is invalid, it must start with 13 to 19",
            "mobile_prefix",
        )
    return text


def fake_mobile(rng: random.Random) -> str:
    """A random mobile number in the never-allocated ``FAKE_MOBILE_PREFIX`` range."""
    return f"{FAKE_MOBILE_PREFIX}{rng.randint(0, 99_999_999):08d}"


# --- Django validators ------------------------------------------------------


def validate_resident_id(value: str) -> None:
    """Django validator for resident ID numbers (see :func:`check_resident_id`)."""
    try:
        check_resident_id(value)
    except Invalid as exc:
        raise as_validation_error(exc) from exc


def validate_credit_code(value: str) -> None:
    """Django validator for unified social credit codes (see :func:`check_credit_code`)."""
    try:
        check_credit_code(value)
    except Invalid as exc:
        raise as_validation_error(exc) from exc


def validate_mobile(value: str) -> None:
    """Django validator for mainland mobile numbers (see :func:`check_mobile`)."""
    try:
        check_mobile(value)
    except Invalid as exc:
        raise as_validation_error(exc) from exc


def validate_division_code(value: str) -> None:
    """Django validator for 6/9/12-digit division codes (see :func:`check_division_code`)."""
    try:
        check_division_code(value)
    except Invalid as exc:
        raise as_validation_error(exc) from exc
