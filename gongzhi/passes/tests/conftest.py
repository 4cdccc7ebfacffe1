"""Riders, gates and guards for the rider pass tests (personas come from the root conftest)."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import ANXIANGJIE, BAITALU
from gongzhi.accounts.roles import Role

_n = itertools.count(1)


def photo_upload(name: str = "me.jpg", *, exif_gps: bool = False, fmt: str = "JPEG") -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 800), (200, 160, 120))
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (30.0, 25.0, 12.0), 3: "E", 4: (104.0, 33.0, 7.0)}  # GPSInfo
        kwargs["exif"] = exif
    image.save(out, format=fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def platform(db):
    from gongzhi.passes.models import Platform

    # get_or_create: transactional (browser) tests flush the rows the data migration added.
    return Platform.objects.get_or_create(code="meituan", defaults={"name": "美团", "order": 10})[0]


@pytest.fixture
def friendly(areas):
    """安象街社区 honours the pass (and offers every rider service)."""
    from gongzhi.passes.models import RiderFriendlyCommunity

    return RiderFriendlyCommunity.objects.create(
        area_id=ANXIANGJIE, honours_pass=True, rest_stop=True, charging=True, water=True, toilet=True
    )


@pytest.fixture
def make_rider(make_user, platform, worker_of_community_a, area):
    """make_rider(area_code, verified=True, name=...) → a registered rider with a photo."""
    from gongzhi.passes import services
    from gongzhi.passes.models import RiderStatus

    def make(area_code: str = ANXIANGJIE, *, verified: bool = True, name: str = "王强"):
        user = make_user(Role.RIDER, area_code, name=name)
        rider = services.rider_register(
            user=user,
            platform=platform,
            station="美团简城站",
            area=area(area_code),
            plate="简阳A·12345",
            photo=photo_upload(),
            actor=user,
        )
        if verified:
            worker = (
                worker_of_community_a
                if area_code == ANXIANGJIE
                else make_user(Role.COMMUNITY_WORKER, area_code)
            )
            rider = services.rider_transition(rider=rider, to=RiderStatus.VERIFIED, actor=worker, note="ok")
        return rider

    return make


@pytest.fixture
def rider(make_rider, friendly):
    return make_rider()


@pytest.fixture
def guard_a(make_user):
    return make_user(Role.GATE_GUARD, ANXIANGJIE, name="门岗甲")


@pytest.fixture
def gate_a(friendly, guard_a, worker_of_community_a, area):
    from gongzhi.passes import services

    gate = services.gate_create(area=area(ANXIANGJIE), name="北门", actor=worker_of_community_a)
    services.gate_guard_add(gate=gate, guard_mobile=_mobile_of(guard_a), actor=worker_of_community_a)
    return gate


@pytest.fixture
def gate_b(make_user, area):
    """A gate of 白塔路社区, which does not honour the pass."""
    from gongzhi.passes import services

    worker = make_user(Role.COMMUNITY_WORKER, BAITALU)
    guard = make_user(Role.GATE_GUARD, BAITALU, name="门岗乙")
    gate = services.gate_create(area=area(BAITALU), name="南门", actor=worker)
    services.gate_guard_add(gate=gate, guard_mobile=_mobile_of(guard), actor=worker)
    gate.guard = guard
    return gate


def _mobile_of(user) -> str:
    from gongzhi.accounts.models import MOBILE_CONTEXT
    from gongzhi.core.vault import reveal

    return reveal(user.mobile_enc, context=MOBILE_CONTEXT)


def code_of(error) -> str:
    """The stable code of a ValidationError, whether it names a field or not."""
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code
