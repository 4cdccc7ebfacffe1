"""A certificate counts the approved hours and is verified by its HMAC-carrying number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongzhi.volunteering import services
from gongzhi.volunteering.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(activity, volunteer, organiser, hour_rule):
    services.signup_create(activity=activity, user=volunteer.user)
    services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.starts_at)
    signup = services.check_in_or_out(activity=activity, user=volunteer.user, now=activity.ends_at)
    return services.attendance_approve(signup=signup, actor=organiser)


def _issue(volunteer, organiser):
    return services.certificate_issue(
        volunteer=volunteer,
        organisation="蜀阳社区志愿服务站",
        responsible="张敏",
        handler="李晓燕",
        contact="028-27000000",
        actor=organiser,
    )


def test_issue__counts_the_approved_hours_and_content(approved, volunteer, organiser):
    cert = _issue(volunteer, organiser)
    assert cert.hours == Decimal("2.0")
    assert cert.content == approved.activity.get_category_display()
    assert cert.number.startswith("ZY")


def test_issue__without_approved_hours__is_refused_and_writes_nothing(volunteer, organiser):
    with pytest.raises(ValidationError):
        _issue(volunteer, organiser)
    assert not Certificate.objects.exists()


def test_verify__accepts_the_real_number(approved, volunteer, organiser):
    cert = _issue(volunteer, organiser)
    assert services.certificate_verify(cert.number) == cert
    assert services.certificate_verify(cert.number.lower()) == cert


def test_verify__rejects_an_altered_number(approved, volunteer, organiser):
    cert = _issue(volunteer, organiser)
    body, mac = cert.number.rsplit("-", 1)
    altered = f"{body[:-1]}{(int(body[-1]) + 1) % 10}-{mac}"
    with pytest.raises(ValidationError) as exc:
        services.certificate_verify(altered)
    assert exc.value.code == "certificate.forged"


def test_verify__rejects_a_made_up_number(db):
    with pytest.raises(ValidationError) as exc:
        services.certificate_verify("ZY2026000001-ABCDEF0123")
    assert exc.value.code == "certificate.forged"
