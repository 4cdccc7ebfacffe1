"""Errors with stable codes on the fields they concern (STYLE habit 6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def coded(errors: dict[str, list], code: str) -> ValidationError:
    """``ValidationError({field: [messages]})`` whose every message carries ``code``: Django drops
    the ``code=`` of a dict-shaped error, and the API's problem+json reports the inner codes."""
    return ValidationError(
        {
            field: [m if isinstance(m, ValidationError) else ValidationError(m, code=code) for m in messages]
            for field, messages in errors.items()
        }
    )
