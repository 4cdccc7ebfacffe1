import pytest

from gongzhi.accounts.roles import Role

from . import factories


@pytest.fixture
def city(db, areas):
    """The hand-made city of ``factories.hand_made_city`` (areas and stations)."""
    return factories.hand_made_city()


@pytest.fixture
def planner_of_city(city, make_user):
    return make_user(Role.CITY_STAFF, factories.CITY, name="手工市规划员")


@pytest.fixture
def planner_of_t1(city, make_user):
    return make_user(Role.TOWN_STAFF, factories.T1, name="一镇干部")
