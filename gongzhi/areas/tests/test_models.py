import io

import pytest
from django.core.exceptions import ValidationError

from gongzhi.areas.models import Area, Level, code_range, level_of_code, prefix_of
from gongzhi.areas.services import areas_import_csv


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("510000000000", Level.PROVINCE, "51"),
        ("510100000000", Level.CITY, "5101"),
        ("510185000000", Level.COUNTY, "510185"),
        ("510185001000", Level.TOWN, "510185001"),
        ("510185001001", Level.VILLAGE, "510185001001"),
        ("510185001001007", Level.GRID, "510185001001007"),
    ],
)
def test_level_and_prefix__follow_the_statistical_code(code, level, prefix):
    assert level_of_code(code) == level
    assert prefix_of(code) == prefix


@pytest.mark.parametrize("bad", ["51018500100", "5101850010010", "51018500100X", "", None])
def test_level_of_code__malformed_code__is_refused(bad):
    with pytest.raises(ValidationError):
        level_of_code(bad)


def test_code_range__holds_exactly_the_codes_under_a_prefix():
    lo, hi = code_range("510185001")
    assert lo <= "510185001000" < hi
    assert lo <= "510185001999" < hi
    assert lo <= "510185001001007" < hi
    assert not (lo <= "510185002000" < hi)
    assert not (lo <= "510185000999" < hi)


def test_bundled_tree__has_jianyang_with_its_22_towns_and_weibin_down_to_qingjianglu(areas):
    jianyang = areas.get(code="510185000000")
    assert jianyang.name == "简阳市"
    towns = areas.filter(parent=jianyang, level=Level.TOWN)
    assert towns.count() == 22
    names = set(towns.values_list("name", flat=True))
    assert {"简城街道", "射洪坝街道", "杨家镇", "雷家镇"} <= names
    assert areas.get(code="510185001001").name == "安象街社区"
    assert areas.get(name="蜀阳社区").parent.name == "射洪坝街道"
    qjl = areas.get(code="610302003001")
    assert qjl.name == "清姜路社区"
    assert [a.name for a in qjl.ancestors()] == ["陕西省", "宝鸡市", "渭滨区", "清姜街道"]


def test_subtree__is_a_prefix_range_including_self(areas):
    jiancheng = areas.get(code="510185001000")
    under = Area.objects.under(jiancheng)
    assert jiancheng in under
    assert all(a.code.startswith("510185001") for a in under)
    assert under.filter(level=Level.VILLAGE).count() == 8
    assert not Area.objects.under(jiancheng, include_self=False).filter(code=jiancheng.code).exists()


def test_town_population__is_rolled_up_from_its_communities(areas):
    town = areas.get(code="510185001000")
    assert town.population == sum(c.population for c in town.children.all()) > 0


def test_import__a_bad_row__names_the_row_and_writes_nothing(areas):
    before = Area.objects.count()
    csv = io.StringIO(
        "code,name,lat,lng\n510185001099,新社区,30.4,104.5\n51018500109,坏代码,30.4,104.5\n510185001098,境外,10.0,10.0\n"
    )
    with pytest.raises(ValidationError) as exc:
        areas_import_csv(source=csv)
    text = " ".join(exc.value.messages)
    assert "3" in text and "4" in text  # rows 3 and 4 (after the header) are named
    assert Area.objects.count() == before
    assert not Area.objects.filter(code="510185001099").exists()


def test_import__missing_columns__is_refused(areas):
    with pytest.raises(ValidationError):
        areas_import_csv(source=io.StringIO("codes,names\n1,2\n"))


def test_import__new_community__finds_its_parent_from_the_code(areas):
    areas_import_csv(
        source=io.StringIO("code,name,lat,lng,population\n510185001099,新社区,30.4,104.5,1200\n")
    )
    assert Area.objects.get(code="510185001099").parent_id == "510185001000"
