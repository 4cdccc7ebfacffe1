"""A resident registers as a volunteer from the phone: ID kept encrypted and masked, number issued."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.core.vault import reveal
from gongzhi.lib import idcodes
from gongzhi.volunteering.models import Volunteer
from gongzhi.volunteering.services import ID_CONTEXT

pytestmark = pytest.mark.django_db

ADULT_ID = idcodes.make_id_card("510185", date(1985, 6, 1), 41)


def _form(**over):
    data = {
        "name": "李春梅",
        "id_number": ADULT_ID,
        "mobile": "13912340000",
        "area": ANXIANGJIE,
        "skills": "心理疏导、理发",
        "availability": "周末",
    }
    data.update(over)
    return data


def test_self_register__gives_a_number_the_volunteer_role_and_keeps_the_id_encrypted(signed_in, resident_a):
    client = signed_in(resident_a)
    assert client.get(reverse("volunteering:register")).status_code == 200
    response = client.post(reverse("volunteering:register"), _form())
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(user=resident_a)
    assert volunteer.number.startswith(f"JY{timezone.localdate().year}")
    assert volunteer.skills == "心理疏导、理发"
    assert volunteer.id_number_masked == idcodes.mask_id_card(ADULT_ID)
    assert ADULT_ID not in volunteer.id_number_enc
    assert reveal(volunteer.id_number_enc, context=ID_CONTEXT) == ADULT_ID
    assert volunteer.mobile_masked == "139****0000"
    assert resident_a.memberships.filter(role=Role.VOLUNTEER, area_id=ANXIANGJIE).exists()
    me = client.get(reverse("volunteering:me"))
    assert volunteer.number in me.content.decode()
    assert ADULT_ID not in me.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", ADULT_ID[:-1] + ("0" if ADULT_ID[-1] != "0" else "1")),
        ("id_number", idcodes.make_id_card("510185", date(2012, 1, 1), 43)),
        ("id_number", ""),
        ("mobile", "12345"),
    ],
    ids=["bad-check-digit", "minor", "missing", "bad-mobile"],
)
def test_self_register__bad_input__error_beside_the_field_and_nothing_written(
    signed_in, resident_a, field, value
):
    response = signed_in(resident_a).post(reverse("volunteering:register"), _form(**{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Volunteer.objects.exists()
    assert not resident_a.memberships.filter(role=Role.VOLUNTEER).exists()


def test_self_register__an_id_number_already_registered__is_refused(signed_in, resident_a, make_user):
    signed_in(resident_a).post(reverse("volunteering:register"), _form())
    other = make_user(Role.RESIDENT, ANXIANGJIE, name="冒名者")
    response = signed_in(other).post(reverse("volunteering:register"), _form(name="冒名者"))
    assert response.status_code == 400
    assert response.context["form"].errors["id_number"]
    assert Volunteer.objects.count() == 1


def test_self_register__api__answers_201_then_refuses_a_second_time(signed_in, resident_a):
    client = signed_in(resident_a)
    body = {"name": "李春梅", "id_number": ADULT_ID, "area_code": ANXIANGJIE, "skills": "理发"}
    first = client.post("/api/v1/volunteering/volunteers", body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["id_number_masked"] == idcodes.mask_id_card(ADULT_ID)
    again = client.post("/api/v1/volunteering/volunteers", body, content_type="application/json")
    assert again.status_code in (400, 422)
    assert again["Content-Type"].startswith("application/problem+json")
    assert Volunteer.objects.count() == 1


def test_self_register__api__a_community_outside_my_county__is_refused(signed_in, resident_a):
    from conftest import QINGJIANGLU

    response = signed_in(resident_a).post(
        "/api/v1/volunteering/volunteers",
        {"name": "李春梅", "id_number": ADULT_ID, "area_code": QINGJIANGLU},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "area_code" in response.content.decode()
    assert not Volunteer.objects.exists()
