"""Random sequences of awards, payments, shop orders, reversals, cancellations and expiries keep
every invariant of the ledger: balances add up to zero and match the transfers, nobody but an
issuance shard goes below zero, a budget never issues beyond its ceiling, stock never goes below
zero, and every outcome is the one a plain model of the rules predicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from conftest import ANXIANGJIE, CITY, next_mobile
from gongzhi.accounts.roles import Role
from gongzhi.points.models import Account, ShopItem, Transfer, TransferKind

from .conftest import codes

CEILING = 400
DAILY_CAP = 50
MONTHLY_CAP = 80
PRICE = 20
STOCK = 5


@dataclass
class Person:
    user: object
    balance: int = 0
    credits_aged: int = 0  # credits back-dated three years (older than any cutoff this year)
    credits_now: int = 0
    debits: int = 0
    capped_today: int = 0
    expired_years: set = field(default_factory=set)


@dataclass
class Posting:
    transfer_id: int
    kind: str
    amount: int
    payer: int | None  # index of the person debited (payments, orders) or credited (awards)
    reversed: bool = False
    aged: bool = False


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def set_up(self):
        from gongzhi.accounts.services import membership_grant, user_create
        from gongzhi.areas.models import Area
        from gongzhi.directory.models import Organisation, OrgKind
        from gongzhi.points.services import earning, redemption, shop

        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._settings = override_settings(GONGZHI_POINTS={"EXPIRY_ENABLED": True, "EXPIRY_AGE_MONTHS": 24})
        self._settings.enable()
        city, home = Area.objects.get(code=CITY), Area.objects.get(code=ANXIANGJIE)

        def user(role, **kw):
            u = user_create(mobile=next_mobile(), name="测试")
            membership_grant(user=u, role=role, area=kw.pop("area", home), **kw)
            return u

        staff = user(Role.CITY_STAFF, area=city)
        worker = user(Role.COMMUNITY_WORKER)
        self.staff = staff
        self.budget = earning.budget_create(
            name="预算", area=city, ceiling=CEILING, actor=staff, shard_count=3
        )
        for code, cap in (("capped.deed", DAILY_CAP), ("free.deed", None)):
            earning.rule_create(
                data=earning.RuleInput(
                    code=code,
                    name=code,
                    points=1,
                    budget=self.budget,
                    daily_cap=cap,
                    monthly_cap=MONTHLY_CAP if cap else None,
                ),
                area=city,
                actor=staff,
            )
        org = Organisation.objects.create(name="爱心超市", kind=OrgKind.MERCHANT, area=home)
        self.merchant = redemption.merchant_enrol(organisation=org, actor=worker)
        self.operator = user(Role.MERCHANT, organisation=org)
        self.item = shop.shop_item_create(area=home, name="米", price=PRICE, stock=STOCK, actor=worker)
        self.people = [Person(user(Role.RESIDENT)) for _ in range(3)]
        self.merchant_balance = 0
        self.issued = 0
        self.stock = STOCK
        self.postings: list[Posting] = []
        self.orders: list[tuple[object, int, bool]] = []  # (order, person index, cancelled)
        self.sources = 0
        self.last_award: tuple | None = None

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self._settings.disable()

    # --- rules ------------------------------------------------------------------------------

    @rule(who=st.integers(0, 2), quantity=st.integers(1, 60), capped=st.booleans())
    def award(self, who, quantity, capped):
        from gongzhi.points.services.earning import points_award

        person = self.people[who]
        self.sources += 1
        rule_code = "capped.deed" if capped else "free.deed"
        args = dict(
            rule_code=rule_code,
            beneficiary=person.user,
            source_type="tests.deed",
            source_id=str(self.sources),
            area_code=ANXIANGJIE,
            quantity=quantity,
        )
        outcome = points_award(**args)
        grant = min(quantity, DAILY_CAP - person.capped_today) if capped else quantity
        if grant <= 0:
            assert (outcome.points, outcome.reason) == (0, "cap_reached")
        elif self.issued + grant > CEILING:
            assert (outcome.points, outcome.reason) == (0, "budget_exhausted")
        else:
            assert outcome.points == grant and outcome.paid_now
            self.issued += grant
            person.balance += grant
            person.credits_now += grant
            if capped:
                person.capped_today += grant
            self.postings.append(Posting(outcome.transfer_id, TransferKind.AWARD, grant, who))
        self.last_award = (args, outcome.points)

    @rule()
    def retry_last_award(self):
        from gongzhi.points.services.earning import points_award

        if self.last_award is None:
            return
        args, points = self.last_award
        outcome = points_award(**args)
        assert (outcome.paid_now, outcome.points, outcome.reason) == (False, points, "duplicate")

    @rule(who=st.integers(0, 2), amount=st.integers(1, 80), retries=st.integers(0, 2))
    def pay_at_merchant(self, who, amount, retries):
        from gongzhi.points.services import redemption

        person = self.people[who]
        code = redemption.pay_code_issue(user=person.user).code
        call = lambda: redemption.pay_code_collect(  # noqa: E731
            merchant=self.merchant, code=code, amount=amount, operator=self.operator
        )
        if amount > person.balance:
            with pytest.raises(ValidationError) as exc:
                call()
            assert codes(exc.value) == {"points.insufficient"}
            return
        receipts = {call().pk for _ in range(1 + retries)}
        assert len(receipts) == 1
        person.balance -= amount
        person.debits += amount
        self.merchant_balance += amount
        self.postings.append(Posting(receipts.pop(), TransferKind.PAYMENT, amount, who))

    @rule(who=st.integers(0, 2), quantity=st.integers(1, 3))
    def order_from_shop(self, who, quantity):
        from gongzhi.points.services import shop

        person = self.people[who]
        self.sources += 1
        call = lambda: shop.shop_order_place(  # noqa: E731
            item=ShopItem.objects.get(pk=self.item.pk),
            buyer=person.user,
            quantity=quantity,
            key=f"order-{self.sources:06d}",
        )
        cost = PRICE * quantity
        if quantity > self.stock or cost > person.balance:
            with pytest.raises(ValidationError) as exc:
                call()
            assert codes(exc.value) <= {"points.out_of_stock", "points.insufficient"}
            return
        order = call()
        person.balance -= cost
        person.debits += cost
        self.stock -= quantity
        self.orders.append((order, who, False))

    @rule(data=st.data())
    def cancel_order(self, data):
        from gongzhi.points.services import shop

        open_orders = [i for i, (_o, _w, cancelled) in enumerate(self.orders) if not cancelled]
        if not open_orders:
            return
        index = data.draw(st.sampled_from(open_orders))
        order, who, _ = self.orders[index]
        shop.shop_order_cancel(order=order, actor=self.people[who].user, reason="测试取消")
        self.people[who].balance += order.points
        self.people[who].credits_now += order.points
        self.stock += order.quantity
        self.orders[index] = (order, who, True)

    @rule(data=st.data())
    def reverse(self, data):
        from gongzhi.points.services.ledger import transfer_reverse

        if not self.postings:
            return
        posting = data.draw(st.sampled_from(self.postings))
        transfer = Transfer.objects.get(pk=posting.transfer_id)
        holder_balance = {
            TransferKind.AWARD: lambda: self.people[posting.payer].balance,
            TransferKind.PAYMENT: lambda: self.merchant_balance,
            TransferKind.EXPIRY: lambda: posting.amount,  # the expiry account always holds it
        }[posting.kind]()
        if posting.reversed or holder_balance < posting.amount:
            with pytest.raises(ValidationError) as exc:
                transfer_reverse(transfer=transfer, actor=self.staff, reason="更正")
            assert codes(exc.value) <= {"points.already_reversed", "points.insufficient"}
            return
        transfer_reverse(transfer=transfer, actor=self.staff, reason="更正")
        posting.reversed = True
        person = self.people[posting.payer]
        if posting.kind == TransferKind.AWARD:
            self.issued -= posting.amount
            person.balance -= posting.amount
            person.debits += posting.amount
        elif posting.kind == TransferKind.PAYMENT:
            self.merchant_balance -= posting.amount
            person.balance += posting.amount
            person.credits_now += posting.amount
        else:
            person.balance += posting.amount
            person.credits_now += posting.amount

    @rule(data=st.data())
    def age_an_award(self, data):
        """Back-date one award three years, as if it had been earned long ago."""
        candidates = [p for p in self.postings if p.kind == TransferKind.AWARD and not p.aged]
        if not candidates:
            return
        posting = data.draw(st.sampled_from(candidates))
        Transfer.objects.filter(pk=posting.transfer_id).update(
            created_at=timezone.now() - timedelta(days=3 * 366)
        )
        posting.aged = True
        person = self.people[posting.payer]
        person.credits_now -= posting.amount
        person.credits_aged += posting.amount

    @rule(ahead=st.sampled_from([0, 2]))
    def expire(self, ahead):
        """Year-end expiry for this year (old credits only) or two years on (everything left)."""
        from gongzhi.points.services import expiry

        year = timezone.localdate().year + ahead
        expected = {}
        for i, person in enumerate(self.people):
            old = person.credits_aged + (person.credits_now if ahead else 0)
            due = min(person.balance, max(0, old - person.debits))
            if year not in person.expired_years and due > 0:
                expected[i] = due
        before = Transfer.objects.filter(kind=TransferKind.EXPIRY).count()
        run = expiry.expiry_run(year=year, today=date(year, 12, 31))
        assert run.points == sum(expected.values())
        new = Transfer.objects.filter(kind=TransferKind.EXPIRY).order_by("id")[before:]
        for transfer in new:
            i = next(i for i, p in enumerate(self.people) if transfer.debit.user_id == p.user.pk)
            assert transfer.amount == expected[i]
            person = self.people[i]
            person.balance -= transfer.amount
            person.debits += transfer.amount
            person.expired_years.add(year)
            self.postings.append(Posting(transfer.pk, TransferKind.EXPIRY, transfer.amount, i))

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def ledger_adds_up(self):
        from gongzhi.points.services.earning import budget_use
        from gongzhi.points.services.ledger import ledger_verify

        if not hasattr(self, "people"):
            return
        report = ledger_verify()
        assert report.ok, [str(p) for p in report.problems]
        assert report.total == 0
        balances = dict(Account.objects.filter(kind="person").values_list("user_id", "balance"))
        assert [balances.get(p.user.pk, 0) for p in self.people] == [p.balance for p in self.people]
        assert not Account.objects.exclude(kind__in=["issuance"]).filter(balance__lt=0).exists()
        use = budget_use(self.budget)
        assert use.issued == self.issued <= CEILING
        assert ShopItem.objects.get(pk=self.item.pk).stock == self.stock >= 0


@pytest.mark.django_db
def test_ledger__random_awards_payments_reversals_and_expiries_keep_every_invariant(areas):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
