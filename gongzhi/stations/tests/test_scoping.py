"""The registry, runs and grids of one community or town show nothing to staff of another, on any
page or API route of this app (the project-wide walk in tests/test_scoping.py looks for people)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import ANXIANGJIE, JIANCHENG
from gongzhi.accounts.roles import Role
from gongzhi.areas.models import Area
from gongzhi.stations import services

from .factories import make_station

pytestmark = pytest.mark.django_db
SECRET = "保密驿站甲"


def _station_paths():
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and str(p.pattern) in ("stations/", "api/v1/"):
            yield from _walk(p, str(p.pattern))


def _walk(resolver, prefix):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            path = prefix + str(p.pattern)
            if path.startswith("stations/") or path.startswith("api/v1/stations"):
                yield path


def test_every_stations_route__shows_nothing_of_another_community(
    client, make_user, worker_of_community_b, town_staff_a
):
    from gongzhi.accounts.services import api_token_create

    secret = make_station(ANXIANGJIE, SECRET, (30.4245, 104.5551), fns=("暖心角",))
    run = services.plan_run_start(
        actor=town_staff_a, area=Area.objects.get(code=JIANCHENG), model="mclp", p=1, title=SECRET
    )
    other_town = make_user(Role.TOWN_STAFF, "510185002000", name="射洪坝干部")
    ids = [secret.pk, run.pk]
    for viewer in (worker_of_community_b, other_town):
        _, raw = api_token_create(user=viewer, name="walk")
        client.force_login(viewer, backend="gongzhi.accounts.backends.MobilePasswordBackend")
        visited = 0
        for pattern in sorted(set(_station_paths())):
            if "find/" in pattern:
                continue  # the finder shows public places on purpose: stations.find is every role's
            paths = {re.sub(r"<(?:int:|str:)?[a-z_]+>|\{[a-z_]+\}", str(pk), pattern) for pk in ids}
            for path in paths:
                for query in ("", "?q=保", f"?area={ANXIANGJIE}", f"?area_code={JIANCHENG}"):
                    response = client.get(
                        "/" + path + query,
                        HTTP_AUTHORIZATION=f"Bearer {raw}" if path.startswith("api/") else "",
                    )
                    visited += 1
                    assert SECRET not in response.content.decode(errors="replace"), (
                        f"{viewer}: /{path}{query}"
                    )
        assert visited > 40
