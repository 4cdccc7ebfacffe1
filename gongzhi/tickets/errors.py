"""Field errors that keep their code: ``ValidationError({field: [msg]}, code=...)`` drops the code
on the way to the field's message (Django keeps it only on the outer error), so the API's
problem+json would say "invalid". Build the inner error with its code instead."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def field_error(field: str, message, code: str, params: dict | None = None) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params)]})
