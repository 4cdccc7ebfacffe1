"""The notification centre and its outward channels."""

from __future__ import annotations

import io
import json

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.notifications import channels
from gongzhi.notifications.models import ChannelAddress, Delivery, Notification
from gongzhi.notifications.services import notify
from gongzhi.notifications.tasks import deliver_notifications


def test_notify__one_message_per_user_even_when_named_twice(resident_a, worker_of_community_a):
    rows = notify(
        users=[resident_a, resident_a, worker_of_community_a, None],
        kind="ticket.accepted",
        title="已接单",
        url="/tickets/1/",
    )
    assert len(rows) == 2 and Notification.objects.filter(user=resident_a).count() == 1


def test_centre__lists_my_messages_counts_unread_and_marks_read(signed_in, resident_a, worker_of_community_a):
    notify(
        users=[resident_a], kind="need.matched", title="为您推荐：公益理发", url="/services/order/?offering=1"
    )
    notify(users=[worker_of_community_a], kind="ticket.returned", title="别人的消息")
    client = signed_in(resident_a)
    page = client.get("/notifications/").content.decode()
    assert "为您推荐：公益理发" in page and "别人的消息" not in page and 'data-unread="1"' in page
    note = Notification.objects.get(user=resident_a)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/services/order/?offering=1"
    note.refresh_from_db()
    assert note.is_read


def test_centre__someone_elses_message__is_not_found(signed_in, resident_a, worker_of_community_a):
    notify(users=[worker_of_community_a], kind="ticket.returned", title="x")
    note = Notification.objects.get()
    assert signed_in(resident_a).post(f"/notifications/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_centre__a_link_to_another_site__is_not_followed(signed_in, resident_a):
    notify(users=[resident_a], kind="x", title="x", url="https://evil.example/")
    note = Notification.objects.get()
    assert signed_in(resident_a).post(f"/notifications/{note.pk}/open/")["Location"] == "/notifications/"


def test_api__unread_count_list_and_read_all(client, resident_a):
    for i in range(3):
        notify(users=[resident_a], kind="x", title=f"消息{i}")
    _, raw = api_token_create(user=resident_a, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/notifications/unread-count", **auth).json() == {"unread": 3}
    assert client.get("/api/v1/notifications?unread=true", **auth).json()["count"] == 3
    assert client.post("/api/v1/notifications/read-all", **auth).json() == {"marked": 3}
    assert client.get("/api/v1/notifications/unread-count", **auth).json() == {"unread": 0}


def test_console_channel__prints_a_masked_line(resident_a):
    note = notify(users=[resident_a], kind="ticket.accepted", title="已接单", url="/tickets/9/")[0]
    out = io.StringIO()
    assert channels.ConsoleChannel(stream=out).send(note).status == "sent"
    assert "ticket.accepted" in out.getvalue() and resident_a.name not in out.getvalue()


def test_delivery_task__records_each_channel_and_survives_a_failing_one(resident_a, settings, monkeypatch):
    settings.GONGZHI_NOTIFICATION_CHANNELS = ["console", "sms"]
    settings.GONGZHI_SMS = {
        "GATEWAY_URL": "https://sms.example.cn/send",
        "TEMPLATES": {"ticket.accepted": "SMS_1"},
    }

    def refuse(*args, **kwargs):
        raise OSError("gateway down")

    monkeypatch.setattr(channels.urllib.request, "urlopen", refuse)
    note = Notification.objects.create(user=resident_a, kind="ticket.accepted", title="已接单")
    counts = deliver_notifications.call(notification_ids=[note.pk])
    assert counts == {"sent": 1, "skipped": 0, "failed": 1}
    assert set(Delivery.objects.values_list("channel", "status")) == {("console", "sent"), ("sms", "failed")}


def test_sms_channel__sends_only_approved_templates_to_the_real_number(resident_a, monkeypatch):
    sent = []

    class Answer(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    def urlopen(request, timeout):
        sent.append(json.loads(request.data))
        return Answer(b'{"code": "OK"}')

    monkeypatch.setattr(channels.urllib.request, "urlopen", urlopen)
    channel = channels.SmsGatewayChannel(
        {
            "GATEWAY_URL": "https://sms.example.cn/send",
            "SIGN_NAME": "共治",
            "TEMPLATES": {"ticket.offered": "SMS_7"},
        }
    )
    offered = Notification.objects.create(user=resident_a, kind="ticket.offered", title="新订单")
    other = Notification.objects.create(user=resident_a, kind="need.matched", title="推荐")
    assert channel.send(offered).status == "sent" and channel.send(other).status == "skipped"
    assert (
        sent[0]["template"] == "SMS_7"
        and sent[0]["mobile"].startswith("139")
        and "*" not in sent[0]["mobile"]
    )


def test_wechat_channel__needs_a_bound_openid(resident_a, monkeypatch):
    channel = channels.WeChatTemplateChannel(
        {"APP_ID": "wx1", "APP_SECRET": "s", "TEMPLATES": {"ticket.offered": {"id": "T1"}}}
    )
    note = Notification.objects.create(user=resident_a, kind="ticket.offered", title="新订单")
    assert channel.send(note).detail == "user has no bound openid"
    ChannelAddress.objects.create(user=resident_a, channel="wechat", address="openid-1")
    calls = []

    class Answer(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    def urlopen(request, timeout):
        url = request if isinstance(request, str) else request.full_url
        calls.append(url)
        if "/cgi-bin/token" in url:
            return Answer(b'{"access_token": "AT", "expires_in": 7200}')
        return Answer(b'{"errcode": 0}')

    monkeypatch.setattr(channels.urllib.request, "urlopen", urlopen)
    assert channel.send(note).status == "sent"
    assert any("access_token=AT" in c for c in calls)


def test_a_misconfigured_channel__fails_loudly(settings):
    settings.GONGZHI_NOTIFICATION_CHANNELS = ["sms"]
    settings.GONGZHI_SMS = {}
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        channels.active_channels()


def _badges(html: str) -> list[str]:
    import re

    return re.findall(r'<span class="nav-badge"[^>]*>(\d+)</span>', html)


def test_menu__shows_how_many_messages_are_unread_until_they_are_read(
    signed_in, resident_a, worker_of_community_a
):
    """The phone's top bar carries a bell with the unread count (its tab bar has room for three
    items only); the workbench menu carries it beside "Messages"; reading them clears it."""
    for title in ("已接单", "服务已完成"):
        notify(users=[resident_a, worker_of_community_a], kind="ticket.accepted", title=title)
    resident = signed_in(resident_a)
    home = resident.get("/").content.decode()
    assert 'class="ph-bell"' in home and "2" in _badges(home)
    worker = signed_in(worker_of_community_a)
    notify(users=[worker_of_community_a], kind="ticket.returned", title="订单被退回")
    page = worker.get("/notifications/").content.decode()
    assert 'class="wb-side"' in page and _badges(page) == ["3"]
    resident.post("/notifications/read-all/")
    assert _badges(resident.get("/").content.decode()) == []
