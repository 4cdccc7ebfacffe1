"""Target groups, and the board starting from the viewer's own community, then town, then city."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import ANXIANGJIE, BAITALU, SHEHONGBA
from gongzhi.accounts.roles import Role
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(make_user, area):
    """One activity in the volunteer's community, one elsewhere in the town, one in another town."""
    from datetime import timedelta

    def publish(code, title, category, groups):
        actor = make_user(Role.COMMUNITY_WORKER, code)
        start = timezone.now() + timedelta(days=1)
        return services.activity_create(
            data=services.ActivityInput(
                title=title,
                category=category,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                volunteer_capacity=3,
                target_groups=groups,
            ),
            area=area(code),
            actor=actor,
        )

    far = publish(SHEHONGBA[:9] + "001", "射洪坝反诈宣传", "anti_fraud", ("elderly",))
    town = publish(BAITALU, "白塔路爱心茶铺", "tea", ("elderly", "riders"))
    home = publish(ANXIANGJIE, "安象街公益理发", "haircut", ("elderly", "disabled"))
    return home, town, far


def _titles(response):
    return [a.title for a in response.context["page"]]


def test_board__lists_my_community_first_then_my_town_then_the_city(signed_in, volunteer, spread):
    home, town, far = spread
    assert _titles(signed_in(volunteer.user).get(reverse("volunteering:board"))) == [
        home.title,
        town.title,
        far.title,
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"scope": "community"}, [0]),
        ({"scope": "town"}, [0, 1]),
        ({"target": "riders"}, [1]),
        ({"target": "disabled", "scope": "town"}, [0]),
        ({"category": "anti_fraud"}, [2]),
    ],
    ids=["community", "town", "riders", "disabled-in-town", "category"],
)
def test_board__filters_by_scope_target_group_and_category(signed_in, volunteer, spread, query, expected):
    response = signed_in(volunteer.user).get(reverse("volunteering:board"), query)
    assert _titles(response) == [spread[i].title for i in expected]


def test_api__activities_filtered_by_target_group_carry_their_groups(signed_in, volunteer, spread):
    response = signed_in(volunteer.user).get("/api/v1/volunteering/activities", {"target": "riders"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["title"] for i in items] == [spread[1].title]
    assert items[0]["target_groups"] == ["elderly", "riders"]
    assert signed_in(volunteer.user).get(
        "/api/v1/volunteering/activities", {"scope": "moon"}
    ).status_code in (
        400,
        422,
    )


def test_activity__unknown_target_group__is_refused_and_nothing_saved(organiser, area):
    from datetime import timedelta

    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            data=services.ActivityInput(
                title="健康讲座",
                category="health",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                volunteer_capacity=1,
                target_groups=("aliens",),
            ),
            area=area(ANXIANGJIE),
            actor=organiser,
        )
    assert "target_groups" in exc.value.message_dict
    assert not Activity.objects.exists()
