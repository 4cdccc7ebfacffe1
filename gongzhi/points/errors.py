"""Refusals with stable codes on every message, also when they sit beside a field.

Django drops the ``code`` of a ``ValidationError`` built from a dict, so the API's problem+json
would say "invalid"; ``invalid`` keeps the code on each field's message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def invalid(detail, code: str = "invalid") -> ValidationError:
    if isinstance(detail, dict):
        return ValidationError(
            {
                field: [
                    m if isinstance(m, ValidationError) else ValidationError(str(m), code=code)
                    for m in messages
                ]
                for field, messages in detail.items()
            }
        )
    return ValidationError(detail, code=code)
