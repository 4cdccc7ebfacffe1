import pytest

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role
from gongzhi.demo import seed
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.lib import idcodes
from gongzhi.people.models import Person, Tag


def _fingerprint():
    return list(
        Person.objects.order_by("id").values_list("name", "area_id", "id_number_masked", "birth_date")
    )


@pytest.mark.django_db
def test_demo_city__has_every_role_the_14_mass_organisations_and_valid_people():
    ctx = seed.run(scale=300, seed=7)
    assert {m.role for u in User.objects.all() for m in u.memberships.all()} == set(Role.values)
    assert Organisation.objects.filter(kind=OrgKind.MASS_ORG).count() == 14
    assert Organisation.objects.filter(kind=OrgKind.TEAM, name__endswith="攻坚队").count() == 22
    assert all(
        idcodes.is_valid_uscc(u) for u in Organisation.objects.exclude(uscc="").values_list("uscc", flat=True)
    )
    assert Person.objects.count() == 300 + 3  # plus the resident, rider and volunteer logins
    children = [p for p in Person.objects.all() if p.is_child]
    assert children and all(p.consents.exists() for p in children)
    assert Person.objects.filter(tags__tag=Tag.ELDERLY_ALONE).exists()
    assert len(ctx.logins) == len(seed.DEMO_LOGINS)


@pytest.mark.django_db
def test_demo_city__is_the_same_for_the_same_seed():
    seed.run(scale=200, seed=11)
    first = _fingerprint()
    Person.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()
    seed.run(scale=200, seed=11)
    assert _fingerprint() == first
