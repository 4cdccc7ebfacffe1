"""Personas shared by every app's tests (STYLE.md habit 8).

The area tree is loaded once per test database; tests that flush the database (transactional and
browser tests) ask for the ``areas`` fixture, which reloads it when it is missing.
"""

from __future__ import annotations

import itertools
import os

import pytest

from gongzhi.accounts.roles import Role

ANXIANGJIE = "510185001001"  # community A: 简城街道安象街社区
BAITALU = "510185001002"  # community B: 简城街道白塔路社区, same street
JIANCHENG = "510185001000"  # 简城街道
SHEHONGBA = "510185002000"  # 射洪坝街道, another street
CITY = "510185000000"  # 简阳市
QINGJIANGLU = "610302003001"  # 宝鸡市渭滨区清姜路社区
PASSWORD = "Test@2026pw"

_mobiles = itertools.count(1)


def next_mobile() -> str:
    # 139 + worker id digit + counter keeps numbers unique across xdist workers sharing nothing.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    return f"139{int(worker) % 10}{next(_mobiles):07d}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from gongzhi.areas.services import areas_import_csv

    with django_db_blocker.unblock():
        areas_import_csv()


@pytest.fixture
def areas(db):
    from gongzhi.areas.models import Area
    from gongzhi.areas.services import areas_import_csv

    if not Area.objects.filter(code=CITY).exists():
        areas_import_csv()
    return Area.objects


@pytest.fixture
def area(areas):
    return lambda code: areas.get(code=code)


@pytest.fixture
def make_user(areas):
    """make_user(role, area_code, name=..., organisation=..., data_scope=..., password=...)."""
    from gongzhi.accounts.services import membership_grant, user_create
    from gongzhi.areas.models import Area

    def make(
        role=None,
        area_code: str = ANXIANGJIE,
        *,
        name: str = "测试用户",
        mobile: str | None = None,
        password: str = PASSWORD,
        **membership,
    ):
        user = user_create(mobile=mobile or next_mobile(), name=name, password=password)
        if role is not None:
            membership_grant(user=user, role=role, area=Area.objects.get(code=area_code), **membership)
        return user

    return make


@pytest.fixture
def resident_a(make_user):
    return make_user(Role.RESIDENT, ANXIANGJIE, name="居民甲")


@pytest.fixture
def worker_of_community_a(make_user):
    return make_user(Role.COMMUNITY_WORKER, ANXIANGJIE, name="社区甲工作者")


@pytest.fixture
def worker_of_community_b(make_user):
    return make_user(Role.COMMUNITY_WORKER, BAITALU, name="社区乙工作者")


@pytest.fixture
def town_staff_a(make_user):
    return make_user(Role.TOWN_STAFF, JIANCHENG, name="街道甲干部")


@pytest.fixture
def city_staff(make_user):
    return make_user(Role.CITY_STAFF, CITY, name="市级干部")


@pytest.fixture
def audit_admin(make_user):
    return make_user(Role.AUDIT_ADMIN, CITY, name="审计管理员")


@pytest.fixture
def security_admin(make_user):
    return make_user(Role.SECURITY_ADMIN, CITY, name="安全管理员")


@pytest.fixture
def system_admin(make_user):
    return make_user(Role.SYSTEM_ADMIN, CITY, name="系统管理员")


_id_seq = itertools.count(1)


@pytest.fixture
def make_person(areas):
    """make_person(area_code, name=..., birth=..., tags=[...]) with a valid synthetic ID number."""
    from datetime import date

    from gongzhi.lib import idcodes
    from gongzhi.people.services import ConsentInput, person_create

    def make(
        area_code: str = ANXIANGJIE,
        *,
        name: str = "张三",
        birth: date = date(1950, 3, 4),
        tags=(),
        mobile: str = "",
        consent: ConsentInput | None = None,
        created_by=None,
    ):
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
        number = idcodes.make_id_card("510185", birth, (next(_id_seq) * 2 + worker * 311) % 998 + 1)
        return person_create(
            name=name,
            area=areas.get(code=area_code),
            id_number=number,
            mobile=mobile,
            tags=list(tags),
            consent=consent,
            created_by=created_by,
        )

    return make


@pytest.fixture
def signed_in(client):
    """signed_in(user) → the Django test client, logged in as that user."""

    def sign_in(user):
        client.force_login(user, backend="gongzhi.accounts.backends.MobilePasswordBackend")
        return client

    return sign_in


# Browser fixtures live here, once per worker, so any app's browser test can ask for `page`:
# Playwright's sync API allows one instance per thread, so a second import of the fixtures in
# another test module would fail. Helpers are in tests/browser.py.
@pytest.fixture(scope="session")
def browser():
    from tests.browser import launch_browser

    with launch_browser() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
