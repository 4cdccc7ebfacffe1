"""The JSON API under /api/v1/: authentication, problem+json errors, and the routers of every app.

Clients authenticate with a bearer token (``Authorization: Bearer gz_...``, hashed at rest and
revocable) or, from our own pages, with the session cookie plus the CSRF token. Every error is an
RFC 9457 problem document in the request's language (Chinese unless ``Accept-Language`` or the
language cookie asks for English).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.urls import URLPattern, include
from django.urls import path as url_path
from django.urls.resolvers import RoutePattern
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from gongzhi.core.errors import messages_of


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from gongzhi.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The pages' own session; unsafe methods need the CSRF token, as for any form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description=str(gettext_lazy("Gongzhi co-governance platform")),
    urls_namespace="api",
    docs_url="/docs",
    auth=[BearerToken(), SessionAuth()],
)

PROBLEM = "application/problem+json"

# Chinese (or English) messages for pydantic's error types, so schema errors read like ours.
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("This is too short."),
    "string_too_long": gettext_lazy("This is too long."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "float_type": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "greater_than_equal": gettext_lazy("This number is too small."),
    "less_than_equal": gettext_lazy("This number is too large."),
    "greater_than": gettext_lazy("This number is too small."),
    "less_than": gettext_lazy("This number is too large."),
    "literal_error": gettext_lazy("Choose one of the allowed values."),
    "enum": gettext_lazy("Choose one of the allowed values."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "model_attributes_type": gettext_lazy("The request body must be a JSON object."),
    "dict_type": gettext_lazy("The request body must be a JSON object."),
    "datetime_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "date_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "value_error": gettext_lazy("This value is not valid."),
    "extra_forbidden": gettext_lazy("This field is not allowed."),
}


def problem(request, status: int, title: str, detail: str = "", code: str = "", errors: dict | None = None):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    errors: dict[str, list[dict[str, str]]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload")]
        field = ".".join(loc) or "__all__"
        kind = err.get("type", "value_error")
        message = PYDANTIC_MESSAGES.get(kind)
        text = str(message) if message else str(PYDANTIC_MESSAGES["value_error"])
        if kind == "value_error" and err.get("ctx", {}).get("error"):
            text = str(err["ctx"]["error"])
        errors.setdefault(field, []).append({"code": kind, "message": text})
    return problem(request, 422, _("The request has invalid fields."), code="request.invalid", errors=errors)


@api.exception_handler(DjangoValidationError)
def on_domain_error(request, exc: DjangoValidationError):
    errors = messages_of(exc)
    first = next(iter(errors.values()))[0]
    return problem(request, 422, first["message"], code=first["code"], errors=errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem(request, 404, _("Not found."), code="not_found")


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return problem(request, 403, _("You are not allowed to do this."), code="forbidden")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return problem(request, 401, _("Sign in or send a valid API token."), code="unauthenticated")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return problem(request, exc.status_code, str(exc.message), code=f"http.{exc.status_code}")


# Each app contributes a router; the path is its mount point under /api/v1/.
ROUTERS = [
    ("/", "gongzhi.accounts.api.router"),
    ("/areas", "gongzhi.areas.api.router"),
    ("/people", "gongzhi.people.api.router"),
    ("/points", "gongzhi.points.api.router"),
    ("/stations", "gongzhi.stations.api.router"),
    ("/volunteering", "gongzhi.volunteering.api.router"),
    ("/organisations", "gongzhi.directory.api.router"),
    ("/audit", "gongzhi.audit.api.router"),
    ("/tickets", "gongzhi.tickets.api.router"),
    ("/services", "gongzhi.services.api.router"),
    ("/notifications", "gongzhi.notifications.api.router"),
    ("/passes", "gongzhi.passes.api.router"),
    ("/sentinel", "gongzhi.sentinel.api.router"),
    ("/hazards", "gongzhi.hazards.api.router"),
    ("/suggestions", "gongzhi.suggestions.api.router"),
    ("/mediation", "gongzhi.mediation.api.router"),
]

for prefix, path in ROUTERS:
    api.add_router(prefix, import_string(path))


def grouped_urls(urls):
    """ninja's URL patterns with each router's routes under one ``include`` of its prefix.

    ninja hands Django one flat list (150-odd routes), which Django's resolver walks in order:
    the rider-pass check, the busiest route, was a hundred and fifty regular expressions away.
    Grouped by first path segment, a request is matched against the prefixes, then against its
    router's routes only. Names, namespace and order within a router are kept, so ``reverse`` and
    method dispatch are unchanged.
    """
    patterns, app_name, namespace = urls
    top: list = []
    groups: dict[str, list] = {}
    for pattern in patterns:
        route = pattern.pattern._route if isinstance(pattern.pattern, RoutePattern) else ""
        head, slash, rest = route.partition("/")
        if not slash or not head or "<" in head:
            top.append(pattern)
            continue
        inner = RoutePattern(rest, name=pattern.name, is_endpoint=True)
        groups.setdefault(head, []).append(
            URLPattern(inner, pattern.callback, pattern.default_args, pattern.name)
        )
    grouped = [url_path(f"{head}/", include(routes)) for head, routes in groups.items()]
    return [*top, *grouped], app_name, namespace
