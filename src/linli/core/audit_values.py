"""How values are written into audit events: JSON-safe, personal data always masked.

Fields named ``id_number`` or ``phone`` (or ending so) are masked by name whatever their type;
other values that are not plain JSON are stored as their ``str()``, which for
:class:`linli.core.crypto.SensitiveValue` is the masked form; ``*_hash`` fields are never
recorded.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from contextlib import suppress
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from linli.core.crypto import mask_id_number, mask_phone

#: Field names holding personal data, masked by name whatever their type.
_PERSONAL_MASKS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
}
#: Shown instead of a secret's value when a redacted field changes (password, token hash).
REDACTED = "***"


@cache
def personal_mask(name: str) -> Callable[[str], str] | None:
    """The mask for a field name holding personal data (``id_number``, ``owner_phone``...)."""
    for personal, mask in _PERSONAL_MASKS.items():
        if name == personal or name.endswith(f"_{personal}"):
            return mask
    return None


@cache
def is_secret_name(name: str) -> bool:
    """Fields never recorded at all (keyed hashes of personal data)."""
    return name.endswith("_hash")


def json_value(name: str, value: Any) -> Any:
    """``value`` of field ``name`` as stored in an event: JSON-safe, personal data masked."""
    if value is None:
        return None
    mask = personal_mask(name)
    if mask is not None:
        text = str(value)  # a SensitiveValue's str() is already its masked form
        return mask(text) if text else text
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float:
        return value
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dict | list) and _plain_json(value):
        return value
    return str(value)


def _plain_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return value is None or type(value) in (str, int, bool, float)


def comparable(field: models.Field, value: Any) -> Any:
    """A value normalised for 'did it change': '12.5' equals Decimal('12.50'), encrypted
    values are compared by plaintext (in memory only)."""
    with suppress(ValidationError, TypeError, ValueError):  # unparsable: compared as given
        value = field.to_python(value)
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else value
