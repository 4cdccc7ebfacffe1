"""Architecture decision 1: a staff member of one community sees nothing of another, anywhere.

Walks every page URL and every API route as a community worker of 白塔路社区 and proves that no
person, organisation or audit row of 安象街社区 shows up: ids of the other community's objects
are substituted into every path parameter, and every response body is searched for their names.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import ANXIANGJIE
from gongzhi.areas.scoping import ScopedQuerySet

SECRET_NAMES = ["保密甲", "保密乙"]


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _fill(pattern: str, pk: int) -> str:
    path = re.sub(r"<(?:int:)?[a-z_]+>", str(pk), pattern)
    path = re.sub(r"<(?:str|slug|path):[a-z_]+>", str(pk), path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path


@pytest.fixture
def other_community(make_person, worker_of_community_a):
    people = [make_person(ANXIANGJIE, name=n, created_by=worker_of_community_a) for n in SECRET_NAMES]
    return people


@pytest.mark.django_db
def test_every_page_and_api_route__shows_nothing_of_another_community(
    client, worker_of_community_b, other_community
):
    from gongzhi.accounts.services import api_token_create

    _, raw = api_token_create(user=worker_of_community_b, name="walk")
    client.force_login(worker_of_community_b, backend="gongzhi.accounts.backends.MobilePasswordBackend")
    visited = 0
    ids = [p.pk for p in other_community]
    paths = set()
    for pattern in _patterns():
        if "<" in pattern:
            paths.update(_fill(pattern, pk) for pk in ids)
        else:
            paths.add("/" + pattern.replace("^", "").replace("$", ""))
    for path in sorted(paths):
        # "?q=保" would match the secret names by prefix if any list leaked them.
        for query in ("", "?q=保", f"?area={ANXIANGJIE}", f"?area_code={ANXIANGJIE}"):
            response = client.get(
                path + query, HTTP_AUTHORIZATION=f"Bearer {raw}" if path.startswith("/api/") else ""
            )
            visited += 1
            body = response.content.decode(errors="replace")
            for name in SECRET_NAMES:
                assert name not in body, f"{path}{query} shows {name}"
    assert visited > 40


def test_every_model_with_an_area__has_a_scoped_queryset():
    from django.apps import apps

    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("gongzhi."):
            continue
        has_area = any(f.name in ("area", "area_code") for f in model._meta.fields)
        if has_area and not isinstance(model._default_manager.all(), ScopedQuerySet):
            missing.append(model._meta.label)
    # Login history is read through its own scoped selector (accounts.selectors.LoginEventQuerySet);
    # memberships are read only through a user's own resolver (accounts.access.Access).
    assert sorted(missing) == ["accounts.LoginEvent", "accounts.Membership"]
