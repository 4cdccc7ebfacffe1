from __future__ import annotations

from django.core.exceptions import ValidationError


def field_error(field: str, message, code: str) -> ValidationError:
    """A ValidationError on one field that keeps its stable code (forms and problem+json show it)."""
    return ValidationError({field: ValidationError(message, code=code)})
