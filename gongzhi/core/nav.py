"""Role-aware navigation: each app registers what its users can do, in its own ``nav.py``.

The same registry draws the phone tab bar, the workbench side menu and the cards of each role's
home page, so a capability appears everywhere at once when its app registers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: object  # a lazy translation
    url_name: str
    description: object = ""
    permission: str | None = None  # shown when the user holds it ...
    roles: frozenset[str] = field(default_factory=frozenset)  # ... or one of these roles
    unless_roles: frozenset[str] = field(default_factory=frozenset)  # hidden from holders of these
    layouts: frozenset[str] = frozenset({"phone", "workbench"})
    icon: str = "•"
    order: int = 100
    # How many things wait for the user here (unread messages, offers to answer): drawn as a
    # badge. The callable gives the rows to count (a scoped QuerySet; or a number already
    # counted): a page's badges are counted together, in one statement (``badge_counts``).
    # ``in_header``: also a bell in the phone layout's top bar, whose tab bar has room for three
    # items only.
    badge: Callable[[object], QuerySet | int] | None = None
    in_header: bool = False

    def allowed(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.unless_roles and user.access.has_role(*self.unless_roles):
            return False
        if self.permission is None and not self.roles:
            return True
        access = user.access
        return (self.permission is not None and access.has(self.permission)) or access.has_role(*self.roles)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_REGISTRY: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _REGISTRY[item.key] = item


def items_for(user, layout: str) -> list[NavItem]:
    """What the user may open, in order; one entry per page (a page reached through two roles,
    e.g. the activity board of a resident who also volunteers, is listed once)."""
    ordered = sorted(
        (i for i in _REGISTRY.values() if layout in i.layouts and i.allowed(user)),
        key=lambda i: (i.order, i.key),
    )
    seen: set[str] = set()
    unique = []
    for item in ordered:
        if item.url_name not in seen:
            seen.add(item.url_name)
            unique.append(item)
    return unique


def badge_counts(user, items: list[NavItem]) -> dict[str, int]:
    """The badges of ``items`` for ``user``, by item key: every row set counted in one statement
    (``SELECT (SELECT count(*) FROM (…)), …``), not a round trip each."""
    counts: dict[str, int] = {}
    parts: list[tuple[str, str, tuple]] = []
    for item in items:
        rows = item.badge(user)
        if not isinstance(rows, QuerySet):
            counts[item.key] = int(rows)
            continue
        try:
            text, params = rows.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # nothing in the viewer's scope: no statement at all
            counts[item.key] = 0
            continue
        parts.append((item.key, text, params))
    if parts:
        # Each text is Django's own compiled query, its values kept apart as parameters.
        counted = (f"(SELECT COUNT(*) FROM ({text}) AS badge)" for _, text, _ in parts)  # noqa: S608
        statement = "SELECT " + ", ".join(counted)  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(statement, [p for _, _, params in parts for p in params])
            row = cursor.fetchone()
        counts.update(zip((key for key, _, _ in parts), row, strict=True))
    return counts


class NavEntry:
    """A menu item as one user sees it: the item's fields, and its badge counted on first use."""

    def __init__(self, item: NavItem, user, page: list[NavEntry] | None = None) -> None:
        self.item, self.user, self.page = item, user, page if page is not None else [self]

    def __getattr__(self, name: str):
        return getattr(self.item, name)

    @cached_property
    def count(self) -> int:
        """Counted once per request, with the other badges of the page: the menu and the home
        page's cards draw the same items, and both hold the request's user object, so the counts
        are kept on it."""
        if self.item.badge is None:
            return 0
        counts = self.user.__dict__.setdefault("_gz_nav_counts", {})
        if self.item.key not in counts:
            waiting = [e.item for e in self.page if e.item.badge is not None and e.item.key not in counts]
            counts.update(badge_counts(self.user, waiting))
        return counts[self.item.key]


def entries_for(user, layout: str) -> list[NavEntry]:
    page: list[NavEntry] = []
    page.extend(NavEntry(item, user, page) for item in items_for(user, layout))
    return page


def layout_for(user, requested: str | None = None) -> str:
    """Staff roles work on the workbench; everyone else on the phone layout. Either may switch."""
    if requested in ("phone", "workbench"):
        return requested
    return "workbench" if user.is_authenticated and user.access.is_staff_role else "phone"
