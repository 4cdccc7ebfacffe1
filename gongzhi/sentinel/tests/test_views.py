"""The report form on a phone, "is this the same?", merging, categories and figures."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import ANXIANGJIE
from gongzhi.sentinel.models import Lead, SentinelCategory
from gongzhi.tickets.models import Ticket

from .conftest import INSIDE, NEAR, OUTSIDE, photo

pytestmark = pytest.mark.django_db


def form_data(category, at=INSIDE, **extra):
    data = {
        "category": category.code,
        "text": "公交站贴满了虚假招聘广告",
        "area": ANXIANGJIE,
        "lat": at[0],
        "lng": at[1],
    }
    data.update(extra)
    return data


def test_report_page__a_rider_sends_a_lead_with_a_photo_and_follows_it(signed_in, rider, category):
    client = signed_in(rider)
    page = client.get(reverse("sentinel:report"))
    assert page.status_code == 200 and "违规小广告" in page.content.decode()
    response = client.post(reverse("sentinel:report"), {**form_data(category), "photos": [photo()]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert ticket.attachments.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "公交站贴满了虚假招聘广告" in detail
    assert ticket.title in client.get(reverse("sentinel:mine")).content.decode()


@pytest.mark.parametrize(
    ("change", "message_part"),
    [
        ({"lat": OUTSIDE[0], "lng": OUTSIDE[1]}, "安象街社区"),
        ({"photos": [SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")]}, "a.jpg"),
        ({"lat": "", "lng": ""}, ""),
    ],
)
def test_report_page__bad_input__shows_an_error_and_writes_nothing(
    signed_in, rider, category, change, message_part
):
    response = signed_in(rider).post(reverse("sentinel:report"), form_data(category, **change))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert message_part in response.content.decode()
    assert not Ticket.objects.exists()


def test_report_page__a_resident_without_the_permission__is_refused(signed_in, resident_a, category):
    assert signed_in(resident_a).get(reverse("sentinel:report")).status_code == 403


def test_nearby__shows_an_open_lead_of_the_same_category(signed_in, rider2, report, category):
    ticket = report()
    url = reverse("sentinel:nearby") + f"?category={category.code}&lat={NEAR[0]}&lng={NEAR[1]}"
    html = signed_in(rider2).get(url).content.decode()
    assert ticket.number in html and ticket.title in html
    far = reverse("sentinel:nearby") + f"?category={category.code}&lat=30.44&lng=104.57"
    assert ticket.number not in signed_in(rider2).get(far).content.decode()


def test_merge_page__the_dispatcher_merges_a_duplicate(signed_in, worker_of_community_a, rider2, report):
    first = report()
    second = report(reporter=rider2, at=NEAR)
    client = signed_in(worker_of_community_a)
    page = client.get(reverse("sentinel:merge", args=[second.pk]))
    assert page.status_code == 200 and first.title in page.content.decode()
    response = client.post(reverse("sentinel:merge", args=[second.pk]), {"into": first.pk})
    assert response.status_code == 302
    assert Lead.objects.get(ticket=second).merged_into_id == first.pk


def test_merge_page__another_communitys_worker__cannot_see_it(signed_in, worker_of_community_b, report):
    assert (
        signed_in(worker_of_community_b).get(reverse("sentinel:merge", args=[report().pk])).status_code == 404
    )


def test_categories__city_staff_add_one_and_bad_numbers_are_refused(signed_in, city_staff, unit):
    client = signed_in(city_staff)
    data = {
        "code": "fraud",
        "name": "疑似诈骗",
        "unit": unit.pk,
        "deadline_hours": 24,
        "reward_units": 2,
        "duplicate_radius_m": 5000,
        "duplicate_window_hours": 48,
        "duplicate_reward": "first",
        "is_active": "on",
        "order": 1,
    }
    bad = client.post(reverse("sentinel:category_create"), data)
    assert bad.status_code == 400 and not SentinelCategory.objects.exists()
    data["duplicate_radius_m"] = 200
    assert client.post(reverse("sentinel:category_create"), data).status_code == 302
    assert SentinelCategory.objects.get(code="fraud").reward_units == 2
    assert "疑似诈骗" in client.get(reverse("sentinel:categories")).content.decode()


def test_categories__a_rider__may_not_edit(signed_in, rider):
    assert signed_in(rider).get(reverse("sentinel:categories")).status_code == 403


def test_figures__count_reported_and_resolved_within_deadline(
    signed_in, worker_of_community_a, report, officer
):
    from gongzhi.tickets.services import ticket_accept, ticket_resolve

    done = report()
    report(at=NEAR)
    ticket_accept(ticket=done, actor=officer)
    ticket_resolve(ticket=done, actor=officer, note="已清除")
    html = signed_in(worker_of_community_a).get(reverse("sentinel:figures") + "?by=category").content.decode()
    assert "违规小广告" in html and "<td>2</td><td>1</td><td>1 (100.0%)</td>" in html
    for by in ("unit", "area", "month"):
        assert (
            signed_in(worker_of_community_a).get(reverse("sentinel:figures") + f"?by={by}").status_code == 200
        )


def test_clients__staff_issue_a_key_shown_once_and_revoke_it(signed_in, city_staff, make_user):
    from conftest import CITY
    from gongzhi.accounts.roles import Role
    from gongzhi.sentinel.models import Open311Client

    make_user(Role.RIDER, ANXIANGJIE, name="热线账号", mobile="13900001111")

    page = signed_in(city_staff)
    response = page.post(
        reverse("sentinel:clients"), {"name": "12345热线", "account_mobile": "13900001111", "area": CITY}
    )
    assert response.status_code == 200
    issued = Open311Client.objects.get()
    html = response.content.decode()
    assert f"{issued.key_prefix}." in html and issued.key_hash not in html
    assert page.get(reverse("sentinel:clients")).content.decode().count(f"{issued.key_prefix}.") == 1
    page.post(reverse("sentinel:client_revoke", args=[issued.pk]))
    issued.refresh_from_db()
    assert not issued.is_active and issued.revoked_at


def test_clients__an_account_without_the_sentinel_permission__is_refused(signed_in, city_staff, make_user):
    from conftest import CITY
    from gongzhi.accounts.roles import Role
    from gongzhi.sentinel.models import Open311Client

    make_user(Role.RESIDENT, ANXIANGJIE, name="居民", mobile="13900002222")

    response = signed_in(city_staff).post(
        reverse("sentinel:clients"), {"name": "某App", "account_mobile": "13900002222", "area": CITY}
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not Open311Client.objects.exists()


def test_report_page__the_community_follows_the_phones_position(signed_in, rider, category):
    from conftest import BAITALU
    from gongzhi.areas.models import Area

    baitalu = Area.objects.get(code=BAITALU)
    at = (baitalu.lat, baitalu.lng)
    response = signed_in(rider).post(reverse("sentinel:report"), form_data(category, at=at))
    assert response.status_code == 302
    assert Ticket.objects.get().area_id == BAITALU
