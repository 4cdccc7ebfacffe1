"""Training, awards (表彰) and evaluations on the volunteer's profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteering.models import VolunteerRecord

pytestmark = pytest.mark.django_db


def test_record__added_on_the_workbench_shows_on_the_volunteers_phone(signed_in, organiser, volunteer):
    response = signed_in(organiser).post(
        reverse("volunteering:volunteer", args=[volunteer.pk]),
        {
            "kind": "award",
            "title": "优秀志愿者",
            "day": timezone.localdate().isoformat(),
            "issuer": "简城街道",
        },
    )
    assert response.status_code == 302
    assert "优秀志愿者" in signed_in(volunteer.user).get(reverse("volunteering:me")).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "evaluation", "rating": ""}, "rating"),
        ({"kind": "award", "hours": "3"}, "hours"),
        ({"day": (timezone.localdate() + timedelta(days=3)).isoformat()}, "day"),
        ({"issuer": " "}, "issuer"),
    ],
    ids=["evaluation-without-rating", "hours-on-an-award", "future", "no-issuer"],
)
def test_record__bad_input__error_beside_the_field_and_nothing_saved(
    signed_in, organiser, volunteer, data, field
):
    form = {
        "kind": "training",
        "title": "急救培训",
        "day": timezone.localdate().isoformat(),
        "issuer": "红十字会",
    }
    form.update(data)
    response = signed_in(organiser).post(reverse("volunteering:volunteer", args=[volunteer.pk]), form)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not VolunteerRecord.objects.exists()


def test_record__of_another_communitys_volunteer__is_not_found(signed_in, worker_of_community_b, volunteer):
    response = signed_in(worker_of_community_b).get(reverse("volunteering:volunteer", args=[volunteer.pk]))
    assert response.status_code == 404


def test_api__records_added_and_read_back_by_the_volunteer(signed_in, organiser, volunteer):
    created = signed_in(organiser).post(
        f"/api/v1/volunteering/volunteers/{volunteer.pk}/records",
        {
            "kind": "evaluation",
            "title": "年度考评",
            "date": timezone.localdate().isoformat(),
            "issuer": "安象街社区",
            "rating": "excellent",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    mine = signed_in(volunteer.user).get("/api/v1/volunteering/me/records").json()
    assert [(r["title"], r["rating"]) for r in mine] == [("年度考评", "excellent")]
