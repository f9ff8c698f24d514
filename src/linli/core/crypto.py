"""Personal data at rest: encryption, keyed hashes and masks (PIPL).

Resident ID numbers and phone numbers are stored encrypted (AES-256-GCM, a random 96-bit nonce
per value, the kind of value as associated data) as ``"v1:" + base64(nonce + ciphertext)``;
the version prefix leaves room for key rotation. Beside each encrypted column a keyed hash
(HMAC-SHA256 over the kind and the normalised value) allows exact lookups and uniqueness
without decrypting anything.

In Python a stored value is a :class:`SensitiveValue`: ``str()``, ``repr()`` and ``format()``
give the *masked* form (``110101********1234``, ``138****5678``), so templates, serializers,
exports, log lines and error messages mask by default. Only :func:`reveal` (or
``.reveal()``) gives the plaintext, and only code that has checked the caller's
"view personal data" grant may call it for output.

Keys come from settings (``LINLI_DATA_KEY``, ``LINLI_HASH_KEY``, see docs/personal-data.md);
``linli keys generate`` prints a fresh pair.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q, lookups
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import class_prepared
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from linli.core.errors import Invalid
from linli.core.ids import check_mobile

__all__ = [
    "KINDS",
    "TOKEN_PREFIX",
    "UNCHANGED",
    "DecryptionError",
    "EncryptedCharField",
    "EncryptedQuerySet",
    "Kind",
    "PersonalDataModelMixin",
    "SensitiveFormField",
    "SensitiveValue",
    "decrypt",
    "encrypt",
    "generate_keys",
    "hash_lookup",
    "is_masked",
    "keyed_hash",
    "mask",
    "mask_id_number",
    "mask_phone",
    "normalise",
    "reveal",
    "scrub",
]

logger = logging.getLogger(__name__)

Kind = Literal["id_number", "phone"]
KINDS: tuple[Kind, ...] = ("id_number", "phone")

#: Format version of a stored value; a new key or algorithm gets a new prefix.
TOKEN_PREFIX = "v1:"
_NONCE_BYTES = 12
_KEY_BYTES = 32
_MIN_HASH_KEY_BYTES = 16


class DecryptionError(Exception):
    """A stored value cannot be decrypted: wrong ``LINLI_DATA_KEY`` or damaged data."""


# --- Keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    aead: AESGCM
    hash_key: bytes


_keys: _Keys | None = None


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=info).derive(secret)


def _decode_key(name: str, value: str, *, exact: int | None, minimum: int = 0) -> bytes:
    text = value.strip()
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(
            f"{name} is not valid base64 (generate one with `linli keys generate`)"
        ) from exc
    if (exact is not None and len(raw) != exact) or len(raw) < minimum:
        want = f"{exact}" if exact is not None else f"at least {minimum}"
        raise ImproperlyConfigured(
            f"{name} must decode to {want} bytes, got {len(raw)} "
            "(generate one with `linli keys generate`)"
        )
    return raw


def _load_keys() -> _Keys:
    data_setting = getattr(settings, "LINLI_DATA_KEY", "") or ""
    if data_setting:
        data_key = _decode_key("LINLI_DATA_KEY", data_setting, exact=_KEY_BYTES)
    else:
        # settings.py refuses to start without LINLI_DATA_KEY when DEBUG is off, so this is a
        # development machine: derive a stable key from SECRET_KEY rather than store plaintext.
        logger.warning(
            "LINLI_DATA_KEY is not set: personal data is encrypted with a key derived from "
            "SECRET_KEY (development only; set LINLI_DATA_KEY in production)"
        )
        data_key = _hkdf(settings.SECRET_KEY.encode(), b"linli data key v1")
    hash_setting = getattr(settings, "LINLI_HASH_KEY", "") or ""
    if hash_setting:
        hash_key = _decode_key(
            "LINLI_HASH_KEY", hash_setting, exact=None, minimum=_MIN_HASH_KEY_BYTES
        )
    else:
        hash_key = _hkdf(data_key, b"linli hash key v1")
    return _Keys(aead=AESGCM(data_key), hash_key=hash_key)


def _current_keys() -> _Keys:
    global _keys
    if _keys is None:
        _keys = _load_keys()
    return _keys


def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    """Tests may override the key settings: reload the keys next time they are needed."""
    global _keys
    if setting in {"LINLI_DATA_KEY", "LINLI_HASH_KEY", "SECRET_KEY"}:
        _keys = None


setting_changed.connect(_forget_keys)


def generate_keys() -> tuple[str, str]:
    """A fresh (data key, hash key) pair, base64, for ``LINLI_DATA_KEY`` and ``LINLI_HASH_KEY``."""
    return (
        base64.b64encode(os.urandom(_KEY_BYTES)).decode("ascii"),
        base64.b64encode(os.urandom(_KEY_BYTES)).decode("ascii"),
    )


# --- Encryption and hashing ------------------------------------------------------------------


def encrypt(plaintext: str, *, kind: str) -> str:
    """``"v1:" + base64(nonce + ciphertext)``; the kind is authenticated with it."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _current_keys().aead.encrypt(nonce, plaintext.encode(), kind.encode())
    return TOKEN_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, kind: str) -> str:
    """The plaintext of a stored value; :class:`DecryptionError` if it cannot be decrypted."""
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError(
            "存储的个人信息不是加密格式,请先执行数据库迁移 "
            "(a stored personal data value is not encrypted; run the migrations)"
        )
    try:
        raw = base64.b64decode(token[len(TOKEN_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError(
            "存储的个人信息已损坏 (a stored personal data value is damaged)"
        ) from exc
    try:
        plain = _current_keys().aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], kind.encode())
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError(
            "个人信息无法解密:LINLI_DATA_KEY 与加密时不同,或数据已损坏 "
            "(personal data cannot be decrypted: LINLI_DATA_KEY differs from the key it was "
            "encrypted with, or the data is damaged)"
        ) from exc
    return plain.decode()


_PHONE_SEPARATORS = str.maketrans("", "", " -\u3000\t")


def normalise(kind: str, value: str) -> str:
    """The canonical spelling a value is stored, hashed and compared in.

    ID numbers are stripped and upper-cased (a final ``x`` is ``X``); a phone number that
    :func:`~linli.core.ids.check_mobile` accepts loses its separators and ``+86`` prefix.
    Values that are not valid are only stripped (validation reports them).
    """
    text = value.strip()
    if kind == "id_number":
        return text.upper()
    if not text:
        return text
    if len(text) == 11 and text.isascii() and text.isdigit():
        return text  # the common case, without the checker's overhead
    try:
        return check_mobile(text)
    except Invalid:
        return text


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised value; the kind is part of the input."""
    return _hmac(kind, normalise(kind, value))


def _hmac(kind: str, normalised: str) -> str:
    message = f"{kind}\x1f{normalised}".encode()
    return hmac.digest(_current_keys().hash_key, message, hashlib.sha256).hex()


# --- Masks -----------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """``110101********1234``: the first 6 and last 4 characters of an 18- (or old 15-) character
    ID; anything else is masked wholly."""
    if len(value) in (15, 18):
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value)


def mask_phone(value: str) -> str:
    """``138****5678``: the first 3 and last 4 digits of an 11-digit mobile; anything else is
    masked wholly."""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)


_MASKS: dict[str, Callable[[str], str]] = {"id_number": mask_id_number, "phone": mask_phone}


def mask(kind: str, value: str) -> str:
    """The masked form of a plaintext ``value`` of ``kind``."""
    return _MASKS[kind](value)


def is_masked(value: object) -> bool:
    """Whether a text is a masked value (real IDs and phones never contain ``*``)."""
    return isinstance(value, str) and "*" in value


def scrub(message: str, value: str, kind: str) -> str:
    """``message`` with every spelling of ``value`` in it replaced by its mask.

    Checkers quote bad input (``mobile number '1380013800O' must contain digits only``); an
    error about personal data must not carry it back in full.
    """
    text = value.strip()
    if not text:
        return message
    masked = mask(kind, normalise(kind, text))
    bare = text.translate(_PHONE_SEPARATORS)
    spellings = {value, text, text.upper(), bare}
    for prefix in ("+86", "0086", "86"):
        if bare.startswith(prefix):
            spellings.add(bare[len(prefix) :])
    for spelling in sorted(spellings, key=len, reverse=True):
        if len(spelling) >= 4:
            message = message.replace(spelling, masked)
    return message


# --- Values ----------------------------------------------------------------------------------


class SensitiveValue:
    """A personal data value that prints masked and reveals its plaintext only on request.

    Built from a plaintext (``SensitiveValue("13800138000", "phone")``) or lazily from a
    stored token (:meth:`from_token`, decrypted on first use). Compares equal to a ``str`` with
    the same plaintext and hashes like it; it is deliberately *not* a ``str``, so joining or
    JSON-encoding it fails loudly instead of leaking.
    """

    __slots__ = ("_hash", "_kind", "_plain", "_token")

    def __init__(self, plaintext: str, kind: str) -> None:
        if kind not in _MASKS:
            raise ValueError(f"unknown personal data kind {kind!r}")
        self._plain: str | None = normalise(kind, plaintext)
        self._kind = kind
        self._token: str | None = None
        self._hash: str | None = None

    @classmethod
    def from_token(cls, token: str, kind: str) -> SensitiveValue:
        """A stored value, decrypted when first needed."""
        value = cls.__new__(cls)
        value._plain = None
        value._kind = kind
        value._token = token
        value._hash = None
        return value

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def from_storage(self) -> bool:
        """Built from a stored token (not yet known to differ from the row it was read from)."""
        return self._token is not None and self._plain is None

    def reveal(self) -> str:
        """The plaintext. Only for callers that checked the user's personal data grant."""
        if self._plain is None:
            assert self._token is not None
            self._plain = decrypt(self._token, kind=self._kind)
        return self._plain

    @property
    def masked(self) -> str:
        return mask(self._kind, self.reveal())

    @property
    def token(self) -> str:
        """The encrypted form (encrypted once, then reused: an unchanged value is not rewritten)."""
        if self._token is None:
            assert self._plain is not None
            self._token = encrypt(self._plain, kind=self._kind)
        return self._token

    def keyed_hash(self) -> str:
        if self._hash is None:
            # Normalised when wrapped (__init__) or when stored.
            self._hash = _hmac(self._kind, self.reveal())
        return self._hash

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return repr(self.masked)

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SensitiveValue):
            if self._token is not None and self._token == other._token:
                return True
            return self.reveal() == other.reveal()
        if isinstance(other, str):
            if not other:
                return not self
            return self.reveal() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.reveal())

    def __len__(self) -> int:
        return len(self.reveal())

    def __bool__(self) -> bool:
        # Empty values are stored as "" and never wrapped, so a stored token is never empty.
        return self._plain is None or bool(self._plain)

    def __copy__(self) -> SensitiveValue:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SensitiveValue:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (cache, sessions, task arguments) as ciphertext, never as plaintext.
        return (SensitiveValue.from_token, (self.token, self._kind))


def reveal(value: SensitiveValue | str | None) -> str:
    """The plaintext of a personal data value (a plain ``str`` is returned as it is)."""
    if value is None:
        return ""
    if isinstance(value, SensitiveValue):
        return value.reveal()
    return value


# --- Validators ------------------------------------------------------------------------------


@deconstructible
class _MaskingValidator:
    """Runs a validator on the plaintext and masks the value in its messages."""

    def __init__(self, validator: Callable[[Any], None], kind: str) -> None:
        self.validator = validator
        self.kind = kind

    def __call__(self, value: Any) -> None:
        plain = reveal(value)
        try:
            self.validator(plain)
        except ValidationError as exc:
            raise ValidationError(
                [
                    ValidationError(
                        scrub(
                            str(e.message % e.params if e.params else e.message), plain, self.kind
                        ),
                        code=e.code,
                    )
                    for e in exc.error_list
                ]
            ) from None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _MaskingValidator)
            and self.validator == other.validator
            and self.kind == other.kind
        )

    def __hash__(self) -> int:
        return hash((self.validator, self.kind))


# --- Form field (admin) ----------------------------------------------------------------------

#: What a left-blank personal data form field cleans to: keep the stored value.
UNCHANGED = object()


class _SensitiveInput(forms.TextInput):
    """A text input that never renders a value; the current value shows masked as placeholder."""

    def format_value(self, value: Any) -> None:
        return None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        if isinstance(value, SensitiveValue):
            attrs["placeholder"] = str(value)
        attrs.setdefault("autocomplete", "off")
        return super().get_context(name, value, attrs)


class SensitiveFormField(forms.CharField):
    """An edit field for personal data: blank (or the mask typed back) keeps the stored value."""

    widget = _SensitiveInput

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs["required"] = False  # blank means "unchanged"; the model says what is required
        kwargs.setdefault(
            "help_text", _("留空则保持原值不变 (leave blank to keep the current value)")
        )
        kwargs["widget"] = _SensitiveInput
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text or is_masked(text):
            return UNCHANGED
        return text

    def has_changed(self, initial: Any, data: Any) -> bool:
        text = (data or "").strip()
        return bool(text) and not is_masked(text)


# --- Model field -----------------------------------------------------------------------------


def _fresh_key(attname: str) -> str:
    """Instance attribute marking the field's value as newly assigned (hash to derive)."""
    return f"_linli_fresh_{attname}"


class _EncryptedAttribute(DeferredAttribute):
    """Wraps assigned text in a :class:`SensitiveValue` and marks the companion hash stale."""

    field: EncryptedCharField

    def __set__(self, instance: models.Model, value: Any) -> None:
        field = self.field
        data = instance.__dict__
        attname = field.attname
        if value is not None and data.get(attname, _MISSING) is value:
            return  # full_clean() assigns back what it read: nothing changed
        loaded = isinstance(value, SensitiveValue) and value.from_storage and attname not in data
        data[attname] = field.wrap(value)
        # Read from the database with its row (Model.from_db, deferred loading): the stored
        # hash belongs to it. Anything else is a new value whose hash is derived on read.
        data[field.fresh_attr] = not loaded


class _HashAttribute(DeferredAttribute):
    """The companion hash: derived from the encrypted field's value once that is assigned."""

    def __init__(self, field: models.Field, source: EncryptedCharField) -> None:
        super().__init__(field)
        self.source = source

    def __get__(self, instance: models.Model | None, cls: Any = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        if data.get(self.source.fresh_attr):
            value = data.get(self.source.attname)
            return value.keyed_hash() if isinstance(value, SensitiveValue) else None
        return super().__get__(instance, cls)

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


_MISSING = object()


class _EmptyOnlyExact(lookups.Exact):
    """``field=""`` works (emptiness is stored in clear); any other value is an error."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in (None, ""):
            raise FieldError(_lookup_message(lhs.output_field))
        super().__init__(lhs, rhs)


def _lookup_message(field: models.Field) -> str:
    return (
        f"{field.model.__name__}.{field.name} is encrypted with a random nonce, so filtering by "
        f"its value can never match: use .filter(hash_lookup({field.model.__name__}, "
        f"'{field.name}', value)) or the queryset's with_{field.name}() (keyed hash)"
    )


class EncryptedCharField(models.TextField):
    """Personal data encrypted at rest, with a keyed hash in ``hash_field`` for exact lookups.

    Reads give :class:`SensitiveValue` (masked when printed); assignments accept ``str`` or
    ``SensitiveValue``; ``None`` and ``""`` are stored as they are. Filtering by value is an
    error (only ``=""`` and ``__isnull`` work): look rows up through the hash
    (:func:`hash_lookup`). Validators see the plaintext and never quote it back in full.
    """

    descriptor_class = _EncryptedAttribute

    def __init__(self, *args: Any, kind: str, hash_field: str, **kwargs: Any) -> None:
        if kind not in _MASKS:
            raise ValueError(f"unknown personal data kind {kind!r}")
        self.kind = kind
        self.hash_field = hash_field
        self.fresh_attr = ""  # set with the name (contribute_to_class)
        validators = kwargs.pop("validators", ())
        super().__init__(*args, **kwargs)
        self._validators = [
            v if isinstance(v, _MaskingValidator) else _MaskingValidator(v, kind)
            for v in validators
        ]

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        self.fresh_attr = _fresh_key(self.attname)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        kwargs["hash_field"] = self.hash_field
        if self._validators:
            kwargs["validators"] = [v.validator for v in self._validators]
        return name, "linli.core.crypto.EncryptedCharField", args, kwargs

    def wrap(self, value: Any) -> Any:
        """The value as the instance holds it: a SensitiveValue, or ``None``/``""``."""
        # isinstance before any comparison: this runs for every row a bulk write builds.
        if isinstance(value, str):
            wrapped = SensitiveValue(value, self.kind)
            return wrapped if wrapped._plain else (None if self.null else "")
        if isinstance(value, SensitiveValue):
            if value.kind == self.kind:
                return value
            return self.wrap(value.reveal())
        if value is None:
            return None if self.null else ""
        raise TypeError(f"{self.name} takes text, not {type(value).__name__}")

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return SensitiveValue.from_token(value, self.kind) if value else value

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, SensitiveValue):
            return value
        text = str(value)
        if text.startswith(TOKEN_PREFIX):  # from a fixture written by value_to_string()
            stored = SensitiveValue.from_token(text, self.kind)
            try:
                stored.reveal()
            except DecryptionError:
                return text
            return stored
        return text

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, SensitiveValue):
            if value.kind != self.kind:
                return encrypt(value.reveal(), kind=self.kind)
            return value.token
        if isinstance(value, str):
            return encrypt(normalise(self.kind, value), kind=self.kind) if value else value
        return super().get_prep_value(value)

    def value_to_string(self, obj: models.Model) -> str:
        """Serialised (``dumpdata``) encrypted: fixtures never carry plaintext."""
        value = self.value_from_object(obj)
        return "" if value is None else self.get_prep_value(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise FieldError(_lookup_message(self))

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        if data is UNCHANGED:
            return
        super().save_form_data(instance, data)

    def formfield(self, **kwargs: Any) -> Any:
        # The admin passes a Textarea for TextFields; personal data always gets its own input.
        options: dict[str, Any] = {
            k: v for k, v in kwargs.items() if k not in {"form_class", "max_length", "widget"}
        }
        options.update(kind=self.kind, max_length=self.max_length)
        return models.Field.formfield(self, form_class=SensitiveFormField, **options)


def _install_hash_attributes(sender: type[models.Model], **kwargs: Any) -> None:
    """Give each encrypted field's hash field the descriptor that keeps it in sync."""
    for field in sender._meta.concrete_fields:
        if isinstance(field, EncryptedCharField):
            hash_field = next(
                (f for f in sender._meta.concrete_fields if f.name == field.hash_field), None
            )
            if hash_field is None:
                raise ImproperlyConfigured(
                    f"{sender.__name__}.{field.name}: hash_field {field.hash_field!r} is not a "
                    "field of the model"
                )
            setattr(sender, hash_field.attname, _HashAttribute(hash_field, field))


class_prepared.connect(_install_hash_attributes)


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def _with_hashes(model: type[models.Model], fields: Iterable[str]) -> list[str]:
    """``fields`` plus the hash field of every encrypted field among them."""
    names = list(fields)
    for field in encrypted_fields(model):
        if (field.name in names or field.attname in names) and field.hash_field not in names:
            names.append(field.hash_field)
    return names


def hash_lookup(model: type[models.Model], field_name: str, value: str) -> Q:
    """``Q`` matching rows whose encrypted ``field_name`` equals ``value`` (via the hash)."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedCharField):
        raise FieldError(f"{model.__name__}.{field_name} is not an encrypted field")
    text = normalise(field.kind, value) if value else ""
    if not text:
        return Q(**{f"{field.hash_field}__isnull": True})
    return Q(**{field.hash_field: keyed_hash(field.kind, text)})


class EncryptedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A queryset that keeps the hash columns in step on bulk writes."""

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        return super().bulk_update(objs, _with_hashes(self.model, fields), batch_size=batch_size)

    def update(self, **kwargs: Any) -> int:
        for field in encrypted_fields(self.model):
            # bulk_update() passes CASE expressions (and lists the hash field itself).
            if field.name in kwargs and not hasattr(kwargs[field.name], "resolve_expression"):
                value = field.wrap(kwargs[field.name])
                kwargs[field.name] = value
                kwargs[field.hash_field] = (
                    value.keyed_hash() if isinstance(value, SensitiveValue) else None
                )
        return super().update(**kwargs)


class PersonalDataModelMixin:
    """Model mixin for models with encrypted fields: unique hashes report on the visible field,
    and ``save(update_fields=...)`` writes the hash with its field."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = _with_hashes(type(self), update_fields)  # type: ignore[arg-type]
        super().save(*args, **kwargs)  # type: ignore[misc]

    def validate_unique(self, exclude: Any = None) -> None:
        model = type(self)
        excluded = set(exclude or ())
        pairs = {f.hash_field: f for f in encrypted_fields(model)}  # type: ignore[arg-type]
        for hash_name, field in pairs.items():
            # Forms exclude fields they do not show; the hash is checked with its field.
            if field.name not in excluded:
                excluded.discard(hash_name)
        try:
            super().validate_unique(exclude=excluded)  # type: ignore[misc]
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            for hash_name, field in pairs.items():
                if hash_name in errors:
                    errors.pop(hash_name)
                    errors.setdefault(field.name, []).append(
                        self.unique_error_message(model, (field.name,))  # type: ignore[attr-defined]
                    )
            raise ValidationError(errors) from None
