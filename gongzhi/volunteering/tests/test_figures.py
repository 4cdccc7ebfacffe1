"""Town and city staff read hours and person-times by town/community, category and month."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteering import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(activity, volunteer, organiser, hour_rule):
    services.signup_create(activity=activity, user=volunteer.user)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    signup = services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.ends_at)
    services.attendance_approve(signup=signup, actor=organiser)
    services.activity_record_served(activity=activity, served=35, actor=organiser)
    return activity


def test_figures__town_staff_see_hours_and_person_times_of_their_town(town_staff_a, approved):
    year = timezone.localtime(approved.starts_at).year
    rows = selectors.figures(viewer=town_staff_a, level="town", year=year)
    assert len(rows) == 1
    row = rows[0]
    assert (row.area.code, row.category, row.served, row.volunteer_times) == (
        "510185001000",
        "haircut",
        35,
        1,
    )
    assert row.hours == Decimal("2.0")
    assert row.month == timezone.localtime(approved.starts_at).strftime("%Y-%m")
    by_community = selectors.figures(viewer=town_staff_a, level="village", year=year)
    assert [r.area.code for r in by_community] == [approved.area_id]


def test_figures__page_for_city_staff__and_closed_to_community_workers(
    signed_in, city_staff, worker_of_community_b, approved
):
    page = signed_in(city_staff).get(reverse("volunteering:figures"), {"level": "village"})
    assert page.status_code == 200
    assert approved.area.name in page.content.decode()
    assert signed_in(worker_of_community_b).get(reverse("volunteering:figures")).status_code == 403


def test_figures__staff_of_another_town_see_nothing(make_user, approved):
    from conftest import SHEHONGBA
    from gongzhi.accounts.roles import Role

    other = make_user(Role.TOWN_STAFF, SHEHONGBA)
    assert selectors.figures(viewer=other, level="town", year=timezone.localdate().year) == []


def test_api__figures_and_a_bad_level(signed_in, city_staff, approved):
    year = timezone.localtime(approved.starts_at).year
    client = signed_in(city_staff)
    rows = client.get("/api/v1/volunteering/figures", {"year": year}).json()
    assert [(r["area_code"], r["served"], Decimal(r["hours"])) for r in rows] == [("510185001000", 35, 2)]
    assert client.get("/api/v1/volunteering/figures", {"year": year, "level": "galaxy"}).status_code in (
        400,
        422,
    )


def test_figures__download_as_excel_holds_the_same_rows(signed_in, town_staff_a, approved):
    import io

    from openpyxl import load_workbook

    year = timezone.localtime(approved.starts_at).year
    response = signed_in(town_staff_a).get(
        reverse("volunteering:figures"), {"level": "village", "year": year, "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == approved.area_id and rows[2][5] == 35 and rows[2][7] == 2.0
