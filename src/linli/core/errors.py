"""Bilingual validation errors shared by validators, services and importers.

Clerks read Chinese, auditors and integrators often read English, so every
rule violation carries both texts. Pure checkers raise :class:`Invalid`;
Django-facing code turns it into a ``ValidationError`` with both texts.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Invalid(ValueError):
    """A value breaks a rule; ``zh`` and ``en`` say why, ``code`` names the rule."""

    def __init__(self, zh: str, en: str, code: str = "invalid") -> None:
        super().__init__(f"{zh} ({en})")
        self.zh = zh
        self.en = en
        self.code = code

    @property
    def message(self) -> str:
        return f"{self.zh} ({self.en})"


def as_validation_error(exc: Invalid) -> ValidationError:
    """The Django form/model error for a broken rule, with both texts."""
    return ValidationError(exc.message, code=exc.code)
