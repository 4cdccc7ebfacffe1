import pytest

from gongzhi.demo import seed
from gongzhi.stations.models import PlanRun, Station, StationEvent, StationStatus

pytestmark = pytest.mark.django_db


def test_demo__178_stations_merged_into_73_with_history_and_a_plan():
    seed.run(scale=30, seed=7)
    jianyang = Station.objects.filter(area__code__startswith="510185")
    assert jianyang.filter(status=StationStatus.ACTIVE).count() == 73
    assert jianyang.count() == 178
    assert Station.objects.filter(area__code__startswith="610302", status=StationStatus.ACTIVE).count() == 3
    flagship = Station.objects.get(name="龙颈路大群团综合服务站")
    assert {"工会驿站", "暖心驿站", "暖心角"} <= set(flagship.functions.values_list("name", flat=True))
    assert flagship.area_id == "510185001000" and flagship.hours.exists()
    merged = jianyang.filter(status=StationStatus.MERGED)
    assert all(s.merged_into.status == StationStatus.ACTIVE for s in merged.select_related("merged_into"))
    assert StationEvent.objects.filter(kind=StationEvent.Kind.ABSORBED).count() == 105
    assert all(s.organisations.exists() for s in jianyang.filter(status=StationStatus.ACTIVE))
    run = PlanRun.objects.get()
    assert run.status == "done" and run.solve_status == "optimal"


def test_demo__second_run_leaves_the_stations_alone():
    seed.run(scale=10, seed=7)
    first = list(Station.objects.order_by("id").values_list("name", "lat", "lng"))
    seed.run(scale=10, seed=7)
    assert list(Station.objects.order_by("id").values_list("name", "lat", "lng")) == first
