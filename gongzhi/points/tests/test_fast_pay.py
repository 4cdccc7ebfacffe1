"""On PostgreSQL a payment at a merchant is two statements (``services/fast_pay.py``); it must
write what the ORM path writes.

The same series of payments runs with the two-statement path and with it switched off (every
payment through the ORM, as on SQLite), and what the payer, the merchant and an auditor would see
is compared: the receipts, the refusals, the transfers, the balances and the audit entries. The
series goes through the cases the two-statement path hands over: a retry, a retry with another
amount, a payment larger than the balance, the merchant's own operator paying, and a suspended
merchant.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from conftest import ANXIANGJIE
from gongzhi.accounts.roles import Role
from gongzhi.audit.models import AuditEntry
from gongzhi.audit.services import audit_verify
from gongzhi.directory.models import Organisation, OrgKind
from gongzhi.points.models import Account, Transfer

from .conftest import codes, ledger_ok

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the two-statement payment is PostgreSQL's; SQLite has the ORM path only",
    ),
    pytest.mark.django_db(transaction=True),  # each payment is the caller's own call
]


def _series(tag: str, *, make_user, give, area, worker) -> dict:
    """Pay a merchant named after ``tag`` a series of times; return what can be seen of it."""
    from gongzhi.points.services.redemption import merchant_enrol, merchant_pay, merchant_set_status

    org = Organisation.objects.create(name="爱心超市", kind=OrgKind.MERCHANT, area=area(ANXIANGJIE))
    merchant = merchant_enrol(organisation=org, actor=worker)
    payer = make_user(Role.RESIDENT, ANXIANGJIE, name="居民")
    own = make_user(Role.MERCHANT, ANXIANGJIE, name="店员", organisation=org)
    give(payer, 30)
    give(own, 5)
    seen = []

    def pay(who, amount, key):
        try:
            transfer = merchant_pay(payer=who, merchant=merchant, amount=amount, key=f"{tag}-{key}")
        except ValidationError as refused:
            seen.append((key, "refused", sorted(codes(refused)), str(refused)))
            return None
        seen.append((key, transfer.amount, transfer.memo))
        return transfer

    first = pay(payer, 5, "k0000001")
    again = pay(payer, 5, "k0000001")  # a retry: the same receipt
    seen.append(("same receipt", first.pk == again.pk))
    pay(payer, 6, "k0000001")  # the same key, another amount
    pay(payer, 7, "k0000002")
    pay(payer, 100, "k0000003")  # more than the balance
    pay(own, 1, "k0000004")  # the shop's own operator
    merchant_set_status(merchant=merchant, status="suspended", actor=worker, note="整改")
    pay(payer, 1, "k0000005")
    merchant_set_status(merchant=merchant, status="active", actor=worker)
    pay(payer, 18, "k0000006")  # the balance exactly

    account = Account.objects.get(user=payer, kind="person")
    till = Account.objects.get(organisation=org, kind="merchant")
    names = {account.pk: "payer", till.pk: "till"}
    transfers = [
        (t.kind, t.amount, names.get(t.debit_id), names.get(t.credit_id), t.idempotency_key.split(":", 2)[2],
         t.body_hash, t.source_type, t.area_id, t.counter_area_id, t.memo, t.created_by_id == payer.pk)
        for t in Transfer.objects.filter(credit=till).order_by("id")
    ]  # fmt: skip
    audit = [
        (e.action, e.object_type, e.area_code, e.actor_id == payer.pk,
         {k: names.get(v, v) if k == "account" else v for k, v in e.changes.items() if k != "merchant"})
        for e in AuditEntry.objects.filter(action="points.payment", object_id=str(merchant.pk)).order_by("id")
    ]  # fmt: skip
    return {
        "seen": seen,
        "transfers": [(*t[:4], t[4].replace(tag, ""), *t[5:]) for t in transfers],
        "balances": (account.balance, till.balance),
        "audit": audit,
    }


def test_the_two_statement_payment__writes_what_the_orm_path_writes(
    settings, make_user, give, area, worker_of_community_a
):
    parts = dict(make_user=make_user, give=give, area=area, worker=worker_of_community_a)
    fast = _series("fast", **parts)
    settings.GONGZHI_POINTS = {"FAST_AWARDS": False}
    orm = _series("orm", **parts)

    # Fingerprints cover the merchant's id, which differs between the two series.
    strip = lambda found: {**found, "transfers": [t[:5] + t[6:] for t in found["transfers"]]}  # noqa: E731
    assert strip(fast) == strip(orm)
    assert fast["balances"] == (0, 5 + 7 + 18)
    assert [s[1] for s in fast["seen"] if s[1] == "refused"] == ["refused"] * 4
    assert not list(audit_verify())
    ledger_ok()


def test_a_payment_on_its_own__is_two_statements_without_begin_or_commit(
    make_user, give, merchant, resident_a
):
    from gongzhi.points.services.redemption import merchant_pay

    give(resident_a, 20)
    merchant_pay(payer=resident_a, merchant=merchant, amount=1, key="warm-0001")  # the chain's head known

    with CaptureQueriesContext(connection) as captured:
        receipt = merchant_pay(payer=resident_a, merchant=merchant, amount=3, key="pay-00000001")

    assert len(captured.captured_queries) == 2, "\n\n".join(q["sql"] for q in captured.captured_queries)
    assert not connection.in_atomic_block
    assert Transfer.objects.get(pk=receipt.pk).amount == 3
    assert Account.objects.get(user=resident_a, kind="person").balance == 20 - 1 - 3
    assert not list(audit_verify())
    ledger_ok()


def test_a_payer_whose_balance_fell_after_the_read__is_refused_with_the_balance_now(
    monkeypatch, give, merchant, resident_a
):
    from gongzhi.core import sql
    from gongzhi.points.services import fast_pay
    from gongzhi.points.services.redemption import merchant_pay

    give(resident_a, 10)
    original = sql.prepared_cursor
    calls = []

    def spend_between(*args, **kwargs):  # before the write: another till took 8 points
        calls.append(1)
        if len(calls) == 2:
            Account.objects.filter(user=resident_a, kind="person").update(balance=2)
        return original(*args, **kwargs)

    monkeypatch.setattr(fast_pay.sql, "prepared_cursor", spend_between)
    with pytest.raises(ValidationError) as refused:
        merchant_pay(payer=resident_a, merchant=merchant, amount=5, key="pay-00000002")

    assert codes(refused.value) == {"points.insufficient"}
    balance_now = _("Not enough points: the balance is %(balance)d, %(amount)d are needed.") % {
        "balance": 2,  # as it is now, not the 10 the read found
        "amount": 5,
    }
    assert refused.value.message_dict == {"amount": [balance_now]}
    assert not Transfer.objects.filter(kind="payment").exists()
    assert not AuditEntry.objects.filter(action="points.payment").exists()
