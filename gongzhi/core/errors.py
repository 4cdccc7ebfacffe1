"""Errors with stable codes, translated messages, and the helpers every edge uses to show them.

Services raise ``django.core.exceptions.ValidationError(message, code=...)`` — for one field, a
dict ``{field: [messages]}``. Forms put the messages beside the fields; the API turns them into
RFC 9457 problem+json (see ``gongzhi.api``). Nothing is written when a service raises, because
every service runs in a transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.lib.idcodes import IdCodeError


def field_error(field: str, message, code: str, params: dict | None = None) -> ValidationError:
    """A refusal beside one field that keeps its stable code.

    ``ValidationError({field: [message]}, code=...)`` drops the code on the way to the field's
    message (Django keeps it on the outer error only), so the API's problem+json would say
    "invalid": the inner error is built with its code instead.
    """
    return ValidationError({field: [ValidationError(message, code=code, params=params)]})


def invalid(detail, code: str = "invalid") -> ValidationError:
    """A refusal with ``code`` on every message: ``detail`` is a message, or ``{field: [messages]}``
    (several fields at once; messages that are already ``ValidationError`` keep their own code)."""
    if isinstance(detail, dict):
        return ValidationError(
            {
                field: [
                    m if isinstance(m, ValidationError) else ValidationError(m, code=code) for m in messages
                ]
                for field, messages in detail.items()
            }
        )
    return ValidationError(detail, code=code)


# Translations of the pure library's stable error codes (gongzhi.lib.idcodes.ERROR_MESSAGES).
IDCODE_MESSAGES = {
    "id_card.length": _("An ID card number has 18 characters."),
    "id_card.format": _("An ID card number is 17 digits followed by a digit or the letter X."),
    "id_card.birth_date": _(
        "The birth date in the ID card number is not a real date between 1900-01-01 and today."
    ),
    "id_card.checksum": _("The ID card number is mistyped: its check digit does not match."),
    "uscc.length": _("A unified social credit code has 18 characters."),
    "uscc.format": _(
        "A unified social credit code uses only digits and the letters A-H, J-N, P-R, T, U, W-Y, "
        "with a 6-digit area code in positions 3 to 8."
    ),
    "uscc.checksum": _("The unified social credit code is mistyped: its check character does not match."),
    "mobile.invalid": _("Enter a mainland China mobile number: 11 digits starting with 13 to 19."),
}


def idcode_error(exc: IdCodeError, field: str | None = None) -> ValidationError:
    """The translated ValidationError for a pure-library identifier error."""
    error = ValidationError(IDCODE_MESSAGES.get(exc.code, exc.message), code=exc.code)
    return ValidationError({field: [error]}) if field else error


def client_ip(request) -> str | None:
    """The client's address. Behind a proxy, set the proxy to overwrite REMOTE_ADDR (we trust no header)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def messages_of(error: ValidationError) -> dict[str, list[dict[str, str]]]:
    """{field or "__all__": [{"code", "message"}]} for display and for problem+json."""
    out: dict[str, list[dict[str, str]]] = {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                out.setdefault(field, []).extend(
                    {"code": e.code or "invalid", "message": str(m)} for m in e.messages
                )
    else:
        for e in error.error_list:
            out.setdefault("__all__", []).extend(
                {"code": e.code or "invalid", "message": str(m)} for m in e.messages
            )
    return out
