"""The menu a user sees: one entry per page, nothing that does not apply to them."""

from __future__ import annotations

import re

import pytest

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import membership_grant
from gongzhi.areas.models import Area

pytestmark = pytest.mark.django_db


def _card_links(html: str) -> list[str]:
    return re.findall(r'<a class="card tile" href="([^"]+)"', html)


def test_home__a_resident_who_volunteers_sees_the_activity_board_once_and_no_sign_up(signed_in, make_user):
    resident = make_user(Role.RESIDENT, ANXIANGJIE, name="黄丽")
    before = _card_links(signed_in(resident).get("/").content.decode())
    assert "/volunteering/register/" in before
    membership_grant(user=resident, role=Role.VOLUNTEER, area=Area.objects.get(code=ANXIANGJIE))
    resident.refresh_from_db()
    links = _card_links(signed_in(resident).get("/").content.decode())
    assert len(links) == len(set(links)), links
    assert "/volunteering/" in links and "/volunteering/register/" not in links


def test_workbench__counts_hazards_and_suggestions_waiting_for_the_office(
    signed_in, worker_of_community_a, resident_a
):
    from gongzhi.areas.models import Area
    from gongzhi.suggestions.services import suggestion_submit

    suggestion_submit(
        author=resident_a,
        area=Area.objects.get(code=ANXIANGJIE),
        topic="environment",
        text="小区里多放几个分类垃圾桶",
    )
    page = signed_in(worker_of_community_a).get("/").content.decode()
    assert re.search(r'/suggestions/list/"[^>]*>.*?<span class="nav-badge"[^>]*>1</span>', page, re.S)


def test_workbench__every_badge_of_the_page_is_counted_in_one_statement(worker_of_community_a, resident_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.core.nav import entries_for
    from gongzhi.suggestions.services import suggestion_submit

    for text in ("小区里多放几个分类垃圾桶", "楼道灯坏了请修一修"):
        suggestion_submit(
            author=resident_a, area=Area.objects.get(code=ANXIANGJIE), topic="environment", text=text
        )
    entries = entries_for(worker_of_community_a, "workbench")
    with_badges = [e for e in entries if e.item.badge is not None]
    assert len(with_badges) >= 3  # queue, hazards, suggestions, follow-ups, cases, messages ...

    with CaptureQueriesContext(connection) as captured:
        counts = {e.key: e.count for e in with_badges}

    assert len(captured.captured_queries) == 1
    assert counts["suggestions_list"] == 2
    for entry in with_badges:  # the same as counting each alone
        rows = entry.item.badge(worker_of_community_a)
        assert counts[entry.key] == (rows if isinstance(rows, int) else rows.count()), entry.key
