"""One transaction per service call, without a savepoint for every service it calls on the way.

``@transaction.atomic`` on every service turns one order into seven nested savepoints (fourteen
statements, on PostgreSQL each a round trip) although nothing between them is ever rolled back on
its own: a nested service that fails fails its caller. ``service_atomic`` opens a transaction
(or, inside a caller's ``atomic`` block such as a test's, a savepoint) for the outermost service
only; services it calls join that block with ``atomic(savepoint=False)``, so a failure still marks
the whole block for rollback — a caller that catches a nested service's error and carries on gets
a loud ``TransactionManagementError``, never a half-written change. Where a caller really does
want to survive a nested failure, it says so with its own ``with transaction.atomic():`` (as
ticket submission does around automatic dispatch).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_FLAG = "_gongzhi_in_service"


def service_atomic(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a write service: atomic as a whole, one savepoint at most however deep it calls."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        connection = transaction.get_connection()
        if getattr(connection, _FLAG, False) and connection.in_atomic_block:
            with transaction.atomic(savepoint=False):
                return func(*args, **kwargs)
        with transaction.atomic():
            setattr(connection, _FLAG, True)
            try:
                return func(*args, **kwargs)
            finally:
                setattr(connection, _FLAG, False)

    return wrapper
