import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import ANXIANGJIE
from gongzhi.points.models import Account, NominationStatus
from gongzhi.points.selectors import honour_roll, ranking
from gongzhi.points.services import honour

from .conftest import balance_of, codes

pytestmark = pytest.mark.django_db

STORY = "黄阿姨十年如一日照顾楼里的独居老人，每天上门问候、代买药品，邻居们都很感动。"


def photo_upload(fmt="JPEG", name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 24.0, 0.0), 4: (104.0, 32.0, 0.0)}
    Image.new("RGB", (640, 480), (10, 120, 60)).save(out, fmt, exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def nominate(by, area, **kw):
    fields = dict(
        nominee_kind="person",
        nominee_name="黄丽",
        display_name="黄女士",
        consent="本人当面同意公开展示",
        title="十年守护独居老人",
        story=STORY,
        area=area(ANXIANGJIE),
        nominated_by=by,
    )
    fields.update(kw)
    return honour.nomination_submit(**fields)


def test_nomination__photo_is_stored_without_its_gps_position(resident_a, area):
    nomination = nominate(resident_a, area, photo=photo_upload())
    with nomination.photo.open("rb") as f, Image.open(f) as img:
        assert not img.getexif()
    assert nomination.status == NominationStatus.SUBMITTED


def test_nomination__a_file_that_is_not_a_photo__is_refused_beside_the_field(resident_a, area):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not really a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        nominate(resident_a, area, photo=fake)
    assert "photo" in exc.value.message_dict


def test_nomination__short_story_and_missing_consent__are_refused(resident_a, area):
    with pytest.raises(ValidationError) as exc:
        nominate(resident_a, area, story="好人", consent="")
    assert set(exc.value.message_dict) == {"story", "consent"}


def test_publish__shows_it_on_the_public_roll_and_pays_the_honour_rule(
    resident_a, make_user, area, worker_of_community_a, make_rule
):
    make_rule("honour.published", 100)
    nominee = make_user("resident", ANXIANGJIE, name="黄丽")
    nomination = nominate(resident_a, area, nominee_user=nominee)
    assert list(honour_roll()) == []
    honour.nomination_review(nomination=nomination, publish=True, note="", actor=worker_of_community_a)
    assert [n.display_name for n in honour_roll()] == ["黄女士"]
    assert balance_of(nominee) == 100


def test_reject__needs_a_reason_and_keeps_it_off_the_roll(resident_a, area, worker_of_community_a):
    nomination = nominate(resident_a, area)
    with pytest.raises(ValidationError):
        honour.nomination_review(nomination=nomination, publish=False, note="", actor=worker_of_community_a)
    honour.nomination_review(
        nomination=nomination, publish=False, note="事迹需核实", actor=worker_of_community_a
    )
    assert list(honour_roll()) == []
    with pytest.raises(ValidationError) as exc:
        honour.nomination_review(nomination=nomination, publish=True, note="", actor=worker_of_community_a)
    assert codes(exc.value) == {"points.nomination_transition"}


def test_review__by_a_worker_of_another_community__is_refused(resident_a, area, worker_of_community_b):
    nomination = nominate(resident_a, area)
    with pytest.raises(PermissionDenied):
        honour.nomination_review(nomination=nomination, publish=True, note="", actor=worker_of_community_b)


def test_ranking__shows_only_those_who_opted_in_under_their_chosen_name(resident_a, make_user, give):
    quiet = make_user("resident", ANXIANGJIE, name="低调")
    give(resident_a, 40)
    give(quiet, 90)
    honour.ranking_choose(user=resident_a, show=True, name="热心居民黄")
    assert ranking(area_code=ANXIANGJIE) == [{"name": "热心居民黄", "points": 40}]
    honour.ranking_choose(user=resident_a, show=False)
    assert ranking(area_code=ANXIANGJIE) == []
    assert Account.objects.get(user=resident_a).ranking_name == ""
