"""Handing a page's form to a service, and putting the service's ValidationError beside the
fields of the form that called it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                for message in e.messages:
                    form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class Submission:
    """What ``submitted`` did: true when the service took the form; ``result`` is its answer."""

    __slots__ = ("result", "taken")

    def __init__(self, taken: bool, result=None) -> None:
        self.taken, self.result = taken, result

    def __bool__(self) -> bool:
        return self.taken


def submitted(request, form, service: Callable[[dict], object]) -> Submission:
    """Hand a POSTed, valid ``form``'s data to ``service``: the page's one way of doing it.

    A refusal (``ValidationError``) is put on the form, beside the fields it names; then, as for an
    invalid form or a page only shown, the submission is false and the page shows the form again
    (``form_status``)."""
    if request.method != "POST" or not form.is_bound or not form.is_valid():
        return Submission(False)
    try:
        result = service(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return Submission(False)
    return Submission(True, result)


def form_status(*forms) -> int:
    """400 when a submitted form on the page (None: a form the viewer is not offered) has errors
    to show, else 200."""
    return 400 if any(form is not None and form.is_bound and form.errors for form in forms) else 200
