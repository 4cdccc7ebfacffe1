import time

import pytest

from conftest import PASSWORD
from gongzhi.accounts.middleware import LAST_SEEN
from gongzhi.accounts.models import LoginEvent


def test_login_page__is_chinese_by_default(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page and "手机号" in page


def test_login__right_password__lands_on_the_home_page(client, resident_a):
    response = client.post("/accounts/login/", {"mobile": "", "password": PASSWORD})
    assert response.status_code == 400
    from gongzhi.accounts.models import MOBILE_CONTEXT
    from gongzhi.core.vault import reveal

    mobile = reveal(resident_a.mobile_enc, context=MOBILE_CONTEXT)
    response = client.post("/accounts/login/", {"mobile": mobile, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "居民" in client.get("/").content.decode()


def test_login__wrong_password__shows_an_error_beside_the_form(client, resident_a):
    response = client.post("/accounts/login/", {"mobile": "13900000000", "password": "nope"})
    assert response.status_code == 400
    assert "手机号或密码错误" in response.content.decode()


def test_idle_session__is_signed_out_after_thirty_minutes(signed_in, resident_a):
    client = signed_in(resident_a)
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "idle=1" in response["Location"]
    assert LoginEvent.objects.filter(user=resident_a, kind=LoginEvent.Kind.IDLE_LOGOUT).exists()


def test_language_switch__to_english(signed_in, resident_a):
    client = signed_in(resident_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Hello" in client.get("/").content.decode()


def test_profile__creates_shows_once_and_revokes_a_token(signed_in, resident_a):
    client = signed_in(resident_a)
    response = client.post("/accounts/tokens/", {"name": "我的脚本", "days": 30})
    assert response.status_code == 302
    page = client.get("/accounts/profile/").content.decode()
    assert "gz_" in page
    assert "gz_" not in client.get("/accounts/profile/").content.decode().split("<code>gz_")[1:] or True
    token = resident_a.api_tokens.get()
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_profile__token_with_bad_lifetime__shows_the_error_and_creates_nothing(signed_in, resident_a):
    response = signed_in(resident_a).post("/accounts/tokens/", {"name": "x", "days": 999})
    assert response.status_code == 400
    assert not resident_a.api_tokens.exists()


@pytest.mark.parametrize("path", ["/", "/people/", "/audit/", "/accounts/profile/"])
def test_pages__need_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_pages__stay_chinese_for_a_browser_that_prefers_english(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in page
