"""Outward channels for notifications: a small interface and three implementations.

A channel turns one in-app ``Notification`` into a message elsewhere. Which channels run is a
setting (``GONGZHI_NOTIFICATION_CHANNELS``, or the environment variable of the same name, a
comma-separated list of names or dotted paths); the default is the console channel, which prints
to the server's standard output like Django's console e-mail backend. The in-app centre needs no
channel: every notification is a row the user reads there.

* ``console``: development and the demo.
* ``sms``: an HTTP SMS gateway (``GONGZHI_SMS``). Chinese carriers only deliver pre-approved
  templates, so only kinds with a template code are sent; the rest are skipped.
* ``wechat``: WeChat Official Account template messages (``GONGZHI_WECHAT``) to users who have
  bound an openid (``ChannelAddress``).
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from gongzhi.lib.idcodes import mask_name

logger = logging.getLogger("gongzhi.notifications")


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "skipped" or "failed"
    detail: str = ""


class Channel(Protocol):
    name: ClassVar[str]

    def send(self, notification) -> Outcome: ...


class ConsoleChannel:
    """Prints one line per notification (names masked): what `make demo` shows in its terminal."""

    name = "console"

    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, notification) -> Outcome:
        stream = self.stream or sys.stdout
        user = notification.user
        stream.write(
            f"[notification] to {mask_name(user.name)} (#{user.pk}) · {notification.kind} · "
            f"{notification.title} · {notification.url}\n"
        )
        stream.flush()
        return Outcome("sent")


def _post_json(url: str, payload: dict, timeout: float = 5.0) -> dict:
    if not url.startswith("https://") and not url.startswith("http://"):
        raise ImproperlyConfigured(f"channel URL must be http(s): {url!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read().decode() or "{}")


class SmsGatewayChannel:
    """Posts {mobile, sign, template, params} to an SMS gateway; only templated kinds are sent.

    ``GONGZHI_SMS = {"GATEWAY_URL": "https://sms.example.cn/send", "SIGN_NAME": "共治",
    "TOKEN": "...", "TEMPLATES": {"ticket.offered": "SMS_0001", ...}}``
    """

    name = "sms"

    def __init__(self, config: dict | None = None) -> None:
        self.config = config if config is not None else getattr(settings, "GONGZHI_SMS", {})
        if not self.config.get("GATEWAY_URL"):
            raise ImproperlyConfigured("the sms channel needs GONGZHI_SMS['GATEWAY_URL']")

    def send(self, notification) -> Outcome:
        template = self.config.get("TEMPLATES", {}).get(notification.kind)
        if not template:
            return Outcome("skipped", "no approved template for this kind")
        from gongzhi.accounts.models import MOBILE_CONTEXT
        from gongzhi.core.vault import reveal

        # Sending a text message is the purpose the number was collected for: no human sees it.
        mobile = reveal(notification.user.mobile_enc, context=MOBILE_CONTEXT)
        payload = {
            "mobile": mobile,
            "sign": self.config.get("SIGN_NAME", ""),
            "template": template,
            "params": {"title": notification.title[:20], "body": notification.body[:60]},
            "token": self.config.get("TOKEN", ""),
        }
        answer = _post_json(self.config["GATEWAY_URL"], payload)
        if str(answer.get("code", "OK")).upper() not in ("OK", "0"):
            return Outcome("failed", str(answer.get("message", answer.get("code")))[:200])
        return Outcome("sent")


class WeChatTemplateChannel:
    """WeChat Official Account template messages (订阅/模板消息) to users with a bound openid.

    ``GONGZHI_WECHAT = {"APP_ID": "...", "APP_SECRET": "...", "BASE_URL": "https://api.weixin.qq.com",
    "TEMPLATES": {"ticket.offered": {"id": "TEMPLATE_ID", "fields": {"title": "thing1", "body": "thing2"}}}}``
    """

    name = "wechat"
    TOKEN_CACHE_KEY = "gongzhi:wechat:access_token"  # noqa: S105 - a cache key, not a secret

    def __init__(self, config: dict | None = None) -> None:
        self.config = config if config is not None else getattr(settings, "GONGZHI_WECHAT", {})
        if not (self.config.get("APP_ID") and self.config.get("APP_SECRET")):
            raise ImproperlyConfigured("the wechat channel needs GONGZHI_WECHAT['APP_ID'] and ['APP_SECRET']")
        self.base = self.config.get("BASE_URL", "https://api.weixin.qq.com").rstrip("/")

    def access_token(self) -> str:
        token = django_cache.get(self.TOKEN_CACHE_KEY)
        if token:
            return token
        query = urllib.parse.urlencode(
            {
                "grant_type": "client_credential",
                "appid": self.config["APP_ID"],
                "secret": self.config["APP_SECRET"],
            }
        )
        with urllib.request.urlopen(f"{self.base}/cgi-bin/token?{query}", timeout=5) as response:  # noqa: S310
            answer = json.loads(response.read().decode())
        if "access_token" not in answer:
            raise RuntimeError(f"wechat token refused: {answer.get('errcode')} {answer.get('errmsg')}")
        # Refresh a few minutes early: WeChat tokens live 7,200 s.
        django_cache.set(
            self.TOKEN_CACHE_KEY, answer["access_token"], max(60, answer.get("expires_in", 7200) - 300)
        )
        return answer["access_token"]

    def send(self, notification) -> Outcome:
        from .models import ChannelAddress

        template = self.config.get("TEMPLATES", {}).get(notification.kind)
        if not template:
            return Outcome("skipped", "no template for this kind")
        address = ChannelAddress.objects.filter(user_id=notification.user_id, channel=self.name).first()
        if address is None:
            return Outcome("skipped", "user has no bound openid")
        fields = template.get("fields", {"title": "thing1", "body": "thing2"})
        data = {
            fields[key]: {"value": value}
            for key, value in (("title", notification.title[:20]), ("body", notification.body[:20]))
            if key in fields
        }
        payload = {
            "touser": address.address,
            "template_id": template["id"],
            "url": notification.url,
            "data": data,
        }
        answer = _post_json(
            f"{self.base}/cgi-bin/message/template/send?access_token={self.access_token()}", payload
        )
        if answer.get("errcode", 0) != 0:
            return Outcome("failed", f"{answer.get('errcode')} {answer.get('errmsg', '')}"[:200])
        return Outcome("sent")


BUILTIN = {"console": ConsoleChannel, "sms": SmsGatewayChannel, "wechat": WeChatTemplateChannel}


def channel_names() -> list[str]:
    import os

    configured = getattr(settings, "GONGZHI_NOTIFICATION_CHANNELS", None)
    if configured is None:
        raw = os.environ.get("GONGZHI_NOTIFICATION_CHANNELS")
        configured = ["console"] if raw is None else [n.strip() for n in raw.split(",") if n.strip()]
    return list(configured)


@cache
def _channel_class(name: str):
    return BUILTIN.get(name) or import_string(name)


def active_channels() -> list[Channel]:
    """Instances of the configured channels; a misconfigured channel fails loudly here."""
    return [_channel_class(name)() for name in channel_names()]
