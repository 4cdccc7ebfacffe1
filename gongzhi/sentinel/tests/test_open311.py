"""Open311 GeoReport v2 conformance: every endpoint in JSON and XML, and every error case in the
specification's errors format, with nothing written."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from conftest import CITY
from gongzhi.sentinel.models import Lead
from gongzhi.tickets.models import Ticket

from .conftest import INSIDE, OUTSIDE

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
FORMATS = ("json", "xml")


@pytest.fixture
def api_key(city_staff, rider, area):
    from gongzhi.sentinel.services import client_issue

    _client, key = client_issue(name="市民热线App", account=rider, area=area(CITY), actor=city_staff)
    return key


def parse(response, fmt):
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def errors_of(response, fmt):
    body = parse(response, fmt)
    if fmt == "json":
        return [(e["code"], e["description"]) for e in body]
    assert body.tag == "errors"
    return [(int(e.findtext("code")), e.findtext("description")) for e in body.findall("error")]


def post(client, fmt, **data):
    return client.post(f"{BASE}requests.{fmt}", data)


def good_post(key, category, **extra):
    data = {
        "api_key": key,
        "service_code": category.code,
        "lat": INSIDE[0],
        "long": INSIDE[1],
        "description": "路口有人发放虚假投资传单",
        "attribute[severity]": "high",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery__names_the_v2_endpoint_and_both_formats(client, fmt):
    response = client.get(f"{BASE}discovery.{fmt}")
    body = parse(response, fmt)
    assert response.status_code == 200
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["application/json", "text/xml"] and endpoint["url"].endswith(
            "/open311/v2/"
        )
    else:
        assert body.tag == "discovery"
        assert [f.text for f in body.find("endpoints/endpoint/formats")] == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services__lists_active_categories_with_metadata(client, category, fmt):
    body = parse(client.get(f"{BASE}services.{fmt}"), fmt)
    if fmt == "json":
        assert body[0]["service_code"] == "illegal_ads" and body[0]["service_name"] == "违规小广告"
        assert body[0]["metadata"] is True and body[0]["type"] == "realtime"
    else:
        service = body.find("service")
        assert body.tag == "services" and service.findtext("service_code") == "illegal_ads"
        assert service.findtext("metadata") == "true"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition__lists_attributes_with_values(client, category, fmt):
    body = parse(client.get(f"{BASE}services/illegal_ads.{fmt}"), fmt)
    if fmt == "json":
        attribute = body["attributes"][0]
        assert body["service_code"] == "illegal_ads" and attribute["code"] == "severity"
        assert attribute["datatype"] == "singlevaluelist" and {v["key"] for v in attribute["values"]} == {
            "low",
            "medium",
            "high",
        }
    else:
        assert body.tag == "service_definition"
        assert [v.findtext("key") for v in body.findall("attributes/attribute/values/value")] == [
            "low",
            "medium",
            "high",
        ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition__unknown_code__is_404_in_the_errors_format(client, category, fmt):
    response = client.get(f"{BASE}services/nope.{fmt}")
    assert response.status_code == 404 and errors_of(response, fmt)[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request__creates_a_lead_and_returns_its_id_and_token(client, api_key, category, unit, fmt):
    response = post(client, fmt, **good_post(api_key, category))
    assert response.status_code == 201
    body = parse(response, fmt)
    row = body[0] if fmt == "json" else {c.tag: c.text for c in body.find("request")}
    ticket = Ticket.objects.get(pk=int(row["service_request_id"]))
    assert (
        ticket.kind == "sentinel"
        and ticket.extra["severity"] == "high"
        and ticket.extra["source"] == "open311"
    )
    assert Lead.objects.get(ticket=ticket).token == row["token"]
    assert list(ticket.offers.values_list("party_org_id", flat=True)) == [unit.pk]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": ""}, 400),
        ({"api_key": "deadbeef.wrong"}, 403),
        ({"service_code": ""}, 400),
        ({"service_code": "nope"}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"lat": OUTSIDE[0], "long": OUTSIDE[1]}, 400),
        ({"lat": "north", "long": "east"}, 400),
        ({"attribute[colour]": "red"}, 400),
        ({"attribute[severity]": "apocalyptic"}, 400),
        ({"description": ""}, 400),
    ],
)
def test_post_request__bad_input__is_an_error_and_writes_nothing(
    client, api_key, category, fmt, change, status
):
    response = post(client, fmt, **good_post(api_key, category, **change))
    assert response.status_code == status
    code, description = errors_of(response, fmt)[0]
    assert code == status and description
    assert not Ticket.objects.exists()


def test_post_request__a_revoked_key__is_403(client, api_key, category, city_staff):
    from gongzhi.sentinel.models import Open311Client
    from gongzhi.sentinel.services import client_revoke

    client_revoke(client=Open311Client.objects.get(), actor=city_staff)
    assert post(client, "json", **good_post(api_key, category)).status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests__filters_by_id_code_status_and_dates(client, report, category, fmt):
    from gongzhi.tickets.services import ticket_cancel

    a, b = report(), report()
    ticket_cancel(ticket=b, actor=b.submitter)

    def ids(query):
        body = parse(client.get(f"{BASE}requests.{fmt}?{query}"), fmt)
        if fmt == "json":
            return {int(r["service_request_id"]) for r in body}
        return {int(r.findtext("service_request_id")) for r in body.findall("request")}

    assert ids("") == {a.pk, b.pk}
    assert ids(f"service_request_id={a.pk}") == {a.pk}
    assert ids("status=open") == {a.pk} and ids("status=closed") == {b.pk}
    assert ids("service_code=illegal_ads") == {a.pk, b.pk}
    past = (timezone.now() - timedelta(days=30)).isoformat()
    assert ids(f"end_date={past}") == set()
    assert ids("limit=1") in ({a.pk}, {b.pk})


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests__dates_are_iso_8601_with_a_time_zone(client, report, fmt):
    report()
    body = parse(client.get(f"{BASE}requests.{fmt}"), fmt)
    stamp = (
        body[0]["requested_datetime"]
        if fmt == "json"
        else body.find("request").findtext("requested_datetime")
    )
    assert stamp.endswith("+08:00") and "T" in stamp


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-05-01T00:00:00%2B08:00", 400),
        ("start_date=yesterday", 400),
        ("status=pending", 400),
        ("service_code=nope", 404),
        ("limit=-3", 400),
        ("service_request_id=abc", 400),
    ],
)
def test_get_requests__bad_filters__are_errors(client, category, fmt, query, status):
    response = client.get(f"{BASE}requests.{fmt}?{query}")
    assert response.status_code == status and errors_of(response, fmt)[0][0] == status


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail__one_request_or_404(client, report, fmt):
    ticket = report()
    body = parse(client.get(f"{BASE}requests/{ticket.pk}.{fmt}"), fmt)
    row = body[0] if fmt == "json" else {c.tag: c.text for c in body.find("request")}
    assert row["service_request_id"] == str(ticket.pk) and row["status"] == "open"
    assert row["extended_status"] == "ACTION_SCHEDULED" and row["agency_responsible"]
    missing = client.get(f"{BASE}requests/999999.{fmt}")
    assert missing.status_code == 404 and errors_of(missing, fmt)[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_token__leads_to_the_request_id_or_404(client, api_key, category, fmt):
    created = json.loads(post(client, "json", **good_post(api_key, category)).content)[0]
    body = parse(client.get(f"{BASE}tokens/{created['token']}.{fmt}"), fmt)
    request_id = (
        body[0]["service_request_id"]
        if fmt == "json"
        else body.find("request").findtext("service_request_id")
    )
    assert request_id == created["service_request_id"]
    assert client.get(f"{BASE}tokens/nope.{fmt}").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_updates__show_the_finer_statuses_of_each_step(client, report, officer, fmt):
    from gongzhi.tickets.services import ticket_accept, ticket_resolve

    ticket = report()
    ticket_accept(ticket=ticket, actor=officer)
    ticket_resolve(ticket=ticket, actor=officer, note="已清除")
    body = parse(client.get(f"{BASE}servicerequestupdates.{fmt}"), fmt)
    if fmt == "json":
        statuses = [(u["status"], u["extended_status"]) for u in body]
    else:
        statuses = [
            (u.findtext("status"), u.findtext("extended_status")) for u in body.findall("request_update")
        ]
    assert statuses == [("open", "ACTION_SCHEDULED"), ("open", "INVESTIGATING"), ("closed", "FIXED")]


def test_unknown_format__is_404_in_json_errors(client):
    response = client.get(f"{BASE}services.csv")
    assert response.status_code == 404 and errors_of(response, "json")[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests__without_a_key_positions_are_rounded_to_about_100_m(client, report, api_key, fmt):
    """Anyone may read leads (the specification), but only a keyed client sees where exactly the
    rider stood; the public sees the street (3 decimals, ~100 m)."""
    ticket = report(at=(INSIDE[0] + 0.000444, INSIDE[1] + 0.000444))

    def position(query):
        for url in (f"{BASE}requests.{fmt}?{query}", f"{BASE}requests/{ticket.pk}.{fmt}?{query}"):
            body = parse(client.get(url), fmt)
            row = body[0] if fmt == "json" else {c.tag: c.text for c in body.find("request")}
            yield float(row["lat"]), float(row["long"])

    assert set(position("")) == {(round(ticket.lat, 3), round(ticket.lng, 3))}
    assert set(position(f"api_key={api_key}")) == {(ticket.lat, ticket.lng)}
    for url in (f"{BASE}requests.{fmt}?api_key=wrong", f"{BASE}requests/{ticket.pk}.{fmt}?api_key=wrong"):
        response = client.get(url)
        assert response.status_code == 403 and errors_of(response, fmt)[0][0] == 403
