"""The demo city: 曾建国 has approved hours paid as points and a certificate; pairs are visited."""

import pytest

from gongzhi.demo import seed
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, Pairing, Visit, Volunteer


@pytest.mark.django_db
def test_demo__the_volunteer_login_has_hours_points_a_certificate_and_pairings_exist():
    seed.run(scale=300, seed=11)
    me = Volunteer.objects.get(user__name="曾建国")
    assert me.team.name == "老党员工作室" and me.area.name.startswith("蜀阳")
    approved = me.signups.filter(approved_at__isnull=False)
    assert approved.count() == 4
    assert sum(s.points for s in approved) > 0
    cert = me.certificates.get()
    assert services.certificate_verify(cert.number) == cert
    assert Pairing.objects.filter(pair_type__code="neighbour_guardian").exists()
    assert set(me.records.values_list("kind", flat=True)) == {"training", "award", "evaluation"}
    assert Visit.objects.filter(ticket__kind="care_concern").count() == 1
    assert Activity.objects.filter(target_groups__contains=",children,").exists()
