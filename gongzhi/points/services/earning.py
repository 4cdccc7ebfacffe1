"""Issuing budgets, earning rules and awards: how points come into circulation.

Budget ceilings and hot rows. Every award debits an issuance account, and a single account row
updated by every award serialises them all (measured: throughput halves). A budget therefore
issues through ``shard_count`` issuance accounts, the award's shard picked from its idempotency
key's hash. The ceiling is enforced without any extra shared row: it is split over the shards'
floors (``floor = -share``), and the one conditional UPDATE that debits a shard already refuses
to pass its floor. The sum of the shares is always the ceiling (``points verify`` checks it), so
no interleaving can issue more than the ceiling. When the home shard is short the award tries
the others; when none alone can pay but together they could, the other shards' headroom is
pooled on the home shard under row locks (rare: only near exhaustion). A budget row checked with a
conditional update would be exact too, but it would be the very hot row the shards remove.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, prefix_of
from gongzhi.audit.services import audit_record
from gongzhi.core import sql
from gongzhi.core.errors import invalid
from gongzhi.core.rewards import RewardRequest, RewardResult
from gongzhi.lib import points as lib

from ..conf import points_setting
from ..models import (
    Account,
    AccountKind,
    Award,
    AwardCounter,
    AwardStatus,
    Budget,
    EarningRule,
    RuleUnit,
)
from . import fast_award, ledger

RULE_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MAX_RULE_POINTS = 100_000
MAX_QUANTITY = 1_000


def _require(actor, permission: str, area_code: str) -> None:
    if actor is not None and not actor.access.can(permission, area_code):
        raise PermissionDenied


# --- budgets ------------------------------------------------------------------------------------


def _whole(value, field: str, *, minimum: int = 0, maximum: int = 10**12) -> int:
    if isinstance(value, bool) or value is None:
        raise invalid({field: [_("Enter a whole number.")]}, code="points.invalid_number")
    try:
        number = lib.parse_amount(value, maximum=maximum) if value not in (0, "0") else 0
    except lib.AmountError as exc:
        message = {
            "amount.fractional": _("Enter a whole number."),
            "amount.too_large": _("This number is too large."),
        }.get(exc.code, _("Enter a whole number that is not negative."))
        raise invalid({field: [message]}, code="points.invalid_number") from None
    if number < minimum:
        raise invalid({field: [_("This number is too small.")]}, code="points.invalid_number")
    return number


@transaction.atomic
def budget_create(
    *,
    name: str,
    area: Area,
    ceiling,
    actor,
    shard_count: int | None = None,
    valid_from=None,
    valid_until=None,
    note: str = "",
    ip: str | None = None,
) -> Budget:
    """Open an issuing budget and its issuance shards, the ceiling split evenly over them."""
    _require(actor, "points.manage_budgets", area.code)
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter a name.")]
    try:
        ceiling = _whole(ceiling, "ceiling")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    shards = int(shard_count or points_setting("SHARDS"))
    if not 1 <= shards <= 64:
        errors["shard_count"] = [_("Choose between 1 and 64 shards.")]
    valid_from = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("The end date is before the start date.")]
    if errors:
        raise invalid(errors, code="points.budget_invalid")
    budget = Budget.objects.create(
        name=name,
        area=area,
        ceiling=ceiling,
        shard_count=shards,
        valid_from=valid_from,
        valid_until=valid_until,
        note=(note or "").strip()[:200],
        created_by=actor,
    )
    Account.objects.bulk_create(
        Account(
            kind=AccountKind.ISSUANCE,
            budget=budget,
            shard=i,
            area=area,
            floor=-share,
            name=f"{name} · {i + 1}",
        )
        for i, share in enumerate(lib.split_evenly(ceiling, shards))
    )
    audit_record(
        actor=actor,
        action="points.budget.create",
        obj=budget,
        ip=ip,
        changes={"name": name, "ceiling": ceiling, "shards": shards},
    )
    return budget


@dataclass(frozen=True)
class BudgetUse:
    issued: int
    remaining: int


def budget_use(budget: Budget) -> BudgetUse:
    shards = list(
        Account.objects.filter(budget=budget, kind=AccountKind.ISSUANCE).values_list("balance", "floor")
    )
    issued = -sum(b for b, _f in shards)
    return BudgetUse(issued=issued, remaining=sum(b - f for b, f in shards))


def _spread(budget: Budget, ceiling: int) -> None:
    """Share ``ceiling`` minus what is issued evenly over the shards' floors, under row locks."""
    shards = list(
        Account.objects.select_for_update().filter(budget=budget, kind=AccountKind.ISSUANCE).order_by("id")
    )
    issued = -sum(a.balance for a in shards)
    if ceiling < issued:
        raise invalid(
            {
                "ceiling": [
                    _("The ceiling cannot be lower than the %(issued)d points already issued.")
                    % {"issued": issued}
                ]
            },
            code="points.ceiling_below_issued",
        )
    for account, share in zip(shards, lib.split_evenly(ceiling - issued, len(shards)), strict=True):
        floor = account.balance - share
        if floor != account.floor:
            Account.objects.filter(pk=account.pk).update(floor=floor)


@transaction.atomic
def budget_update(
    *,
    budget: Budget,
    actor,
    name: str | None = None,
    ceiling=None,
    active: bool | None = None,
    valid_until=None,
    note: str | None = None,
    ip: str | None = None,
) -> Budget:
    _require(actor, "points.manage_budgets", budget.area_id)
    changes: dict[str, object] = {}
    if name is not None:
        if not name.strip():
            raise invalid({"name": [_("Enter a name.")]}, code="points.budget_invalid")
        budget.name = name.strip()
        changes["name"] = budget.name
    spread_to = None
    if ceiling is not None:
        ceiling = _whole(ceiling, "ceiling")
        if ceiling != budget.ceiling:
            spread_to = ceiling
            changes["ceiling"] = f"{budget.ceiling} -> {ceiling}"
    if active is not None and active != budget.active:
        budget.active = active
        changes["active"] = active
    if valid_until is not None:
        if valid_until < budget.valid_from:
            raise invalid(
                {"valid_until": [_("The end date is before the start date.")]}, code="points.budget_invalid"
            )
        budget.valid_until = valid_until
        changes["valid_until"] = str(valid_until)
    if note is not None:
        budget.note = note.strip()[:200]
    audit_record(actor=actor, action="points.budget.update", obj=budget, ip=ip, changes=changes)
    if spread_to is not None:  # after the audit entry: audit chain, then ledger rows (see _award)
        _spread(budget, spread_to)
        budget.ceiling = spread_to
    budget.save()
    return budget


# --- rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    code: str
    name: str
    points: object
    budget: Budget
    unit: str = RuleUnit.EVENT
    daily_cap: object = None
    monthly_cap: object = None
    description: str = ""
    active: bool = True


def _clean_rule(data: RuleInput, area: Area) -> dict:
    errors: dict[str, list] = {}
    code = (data.code or "").strip().lower()
    if not RULE_CODE.match(code) or len(code) > 60:
        errors["code"] = [_('Write the source code as words joined by dots, e.g. "hazard.verified".')]
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_("Enter a name.")]
    cleaned: dict[str, object] = {"code": code, "name": name}
    for field, value, allow_none in (
        ("points", data.points, False),
        ("daily_cap", data.daily_cap, True),
        ("monthly_cap", data.monthly_cap, True),
    ):
        if allow_none and value in (None, ""):
            cleaned[field] = None
            continue
        try:
            cleaned[field] = ledger.amount_of(value, field=field)
        except ValidationError as exc:
            errors.update(exc.error_dict)
            continue
        if cleaned[field] > MAX_RULE_POINTS:
            errors[field] = [_("At most %(n)d points.") % {"n": MAX_RULE_POINTS}]
    daily, monthly = cleaned.get("daily_cap"), cleaned.get("monthly_cap")
    if daily and monthly and monthly < daily:
        errors["monthly_cap"] = [_("The monthly cap cannot be below the daily cap.")]
    if data.unit not in RuleUnit.values:
        errors["unit"] = [_("Choose a unit.")]
    if not area.code.startswith(data.budget.area.prefix):
        errors["budget"] = [
            _("The budget of %(budget)s cannot pay for deeds in %(area)s.")
            % {"budget": data.budget.area.name, "area": area.name}
        ]
    if errors:
        raise invalid(errors, code="points.rule_invalid")
    cleaned.update(
        unit=data.unit,
        budget=data.budget,
        description=(data.description or "").strip()[:300],
        active=bool(data.active),
    )
    return cleaned


@transaction.atomic
def rule_create(*, data: RuleInput, area: Area, actor, ip: str | None = None) -> EarningRule:
    _require(actor, "points.manage_rules", area.code)
    cleaned = _clean_rule(data, area)
    if EarningRule.objects.filter(code=cleaned["code"], area=area).exists():
        raise invalid(
            {"code": [_("This area already has a rule for this source; edit that one.")]},
            code="points.rule_exists",
        )
    rule = EarningRule.objects.create(area=area, updated_by=actor, **cleaned)
    audit_record(
        actor=actor,
        action="points.rule.create",
        obj=rule,
        ip=ip,
        changes={
            "code": rule.code,
            "points": rule.points,
            "daily_cap": rule.daily_cap,
            "monthly_cap": rule.monthly_cap,
        },
    )
    return rule


@transaction.atomic
def rule_update(*, rule: EarningRule, data: RuleInput, actor, ip: str | None = None) -> EarningRule:
    """Change a rule's points, caps, budget or state. The code stays: awards are keyed by it."""
    _require(actor, "points.manage_rules", rule.area_id)
    cleaned = _clean_rule(RuleInput(**{**data.__dict__, "code": rule.code}), rule.area)
    before = {
        "points": rule.points,
        "daily_cap": rule.daily_cap,
        "monthly_cap": rule.monthly_cap,
        "active": rule.active,
    }
    for field, value in cleaned.items():
        setattr(rule, field, value)
    rule.updated_by, rule.updated_at = actor, timezone.now()
    rule.save()
    after = {
        "points": rule.points,
        "daily_cap": rule.daily_cap,
        "monthly_cap": rule.monthly_cap,
        "active": rule.active,
    }
    audit_record(
        actor=actor,
        action="points.rule.update",
        obj=rule,
        ip=ip,
        changes={k: f"{before[k]} -> {after[k]}" for k in before if before[k] != after[k]},
    )
    return rule


def area_chain(area_code: str) -> list[str]:
    """The area itself and every ancestor's code, most specific first."""
    codes = [area_code]
    for n in (12, 9, 6, 4, 2):
        if n < len(prefix_of(area_code)):
            codes.append(area_code[:n].ljust(12, "0"))
    return list(dict.fromkeys(codes))


def rule_for(code: str, area_code: str) -> EarningRule | None:
    """The most specific active rule for ``code`` at the place of the deed."""
    chain = area_chain(area_code)
    rules = {
        r.area_id: r
        for r in EarningRule.objects.filter(code=code, active=True, area_id__in=chain)
        .select_related("budget")
        .order_by()
    }
    return next((rules[c] for c in chain if c in rules), None)


# --- awards -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardOutcome:
    paid_now: bool  # this call moved points
    points: int  # points the award paid (now or, for a duplicate, earlier)
    reason: str  # "", "capped", "cap_reached", "duplicate", "no_rule", "budget_exhausted", "budget_closed"
    award: Award | None = None

    @property
    def transfer_id(self) -> int | None:
        return self.award.transfer_id if self.award is not None else None


def cap_allowance(rule: EarningRule, requested: int, *, day, day_points: int, month_points: int) -> int:
    """How much of ``requested`` the person's caps for the rule still allow, given the counter's
    latest day with its points and the month's points (the one statement of the cap rules)."""
    if day != timezone.localdate():
        day_points = 0
    grant = requested
    if rule.daily_cap is not None:
        grant = min(grant, rule.daily_cap - day_points)
    if rule.monthly_cap is not None:
        grant = min(grant, rule.monthly_cap - month_points)
    return max(grant, 0)


def paid_status(grant: int, requested: int) -> tuple[str, str]:
    """An award's status and reason once ``grant`` of ``requested`` points are paid."""
    return (AwardStatus.PAID, "") if grant == requested else (AwardStatus.CAPPED, "capped")


def counter_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _grant(account_id: int, rule: EarningRule, requested: int) -> tuple[int, AwardCounter | None]:
    """How much of ``requested`` the person's caps for the rule still allow, with the locked counter.

    The counter row belongs to one person and one rule, so locking it serialises only that
    person's concurrent awards under that rule, never anyone else's.
    """
    if rule.daily_cap is None and rule.monthly_cap is None:
        return requested, None
    today = timezone.localdate()
    lookup = {"account_id": account_id, "rule_code": rule.code, "month": counter_month()}
    counter = AwardCounter.objects.select_for_update().filter(**lookup).first()
    if counter is None:
        # The month's first award under the rule: INSERT … ON CONFLICT DO NOTHING needs no
        # savepoint when a concurrent award of the same person creates the row first.
        AwardCounter.objects.bulk_create([AwardCounter(day=today, **lookup)], ignore_conflicts=True)
        counter = AwardCounter.objects.select_for_update().get(**lookup)
    grant = cap_allowance(
        rule, requested, day=counter.day, day_points=counter.day_points, month_points=counter.month_points
    )
    if counter.day != today:
        counter.day, counter.day_points = today, 0
    return grant, counter


_shard_cache: dict[tuple, list[int]] = {}


def shard_ids(budget: Budget) -> list[int]:
    # Shards never change after a budget is opened; keyed by creation time too, so a cached
    # entry can never be mistaken for another budget that reused the primary key.
    key = (budget.pk, budget.created_at.timestamp(), budget.shard_count)
    if key not in _shard_cache:
        _shard_cache[key] = ledger.budget_shard_ids(budget)
    return _shard_cache[key]


def award_key(rule_code: str, source_type: str, source_id: str) -> str:
    return f"award:{rule_code}:{source_type}:{source_id}"


def _pool(budget: Budget, target: int, amount: int) -> bool:
    """Move headroom from the other shards to shard ``target`` (under row locks, in id order)."""
    shards = list(
        Account.objects.select_for_update().filter(budget=budget, kind=AccountKind.ISSUANCE).order_by("id")
    )
    index = next(i for i, a in enumerate(shards) if a.pk == target)
    floors = lib.pooled_floors([a.balance for a in shards], [a.floor for a in shards], index, amount)
    if floors is None:
        return False
    for account, floor in zip(shards, floors, strict=True):
        if floor != account.floor:
            Account.objects.filter(pk=account.pk).update(floor=floor)
    return True


def _issue(*, budget: Budget, award: Award, amount: int, actor, memo: str, deferred: bool):
    """Write an award's transfer and credit; return it with the shard still to debit (if any).

    ``deferred``: the usual path. The transfer names the key's home shard and the caller debits
    it after the award's other writes (only the audit entry follows), so the shard row — the hot
    one — stays locked only from that UPDATE to COMMIT (measured: lock waits on the shards
    dominated when the debit came first and the rest of the award's statements ran while
    holding it). When the home shard is
    short, the caller rolls back and comes here without ``deferred``: debit first, probing the
    other shards, and pooling their headroom when none alone can pay.
    """
    key = award_key(award.rule_code, award.source_type, award.source_id)
    shards = shard_ids(budget)
    order = lib.probe_order(key, len(shards))
    account = award.account
    fields = dict(
        credit_id=account.pk,
        amount=amount,
        key=key,
        fingerprint=award.body_hash,
        source_type=award.source_type,
        source_id=award.source_id,
        area_code=account.area_id,
        counter_area_code=budget.area_id,
        actor=actor,
        memo=memo,
        rule_code=award.rule_code,
    )
    if deferred:
        return ledger.write_award_transfer(debit_id=shards[order[0]], **fields), shards[order[0]]
    try:
        return ledger.post_issuance(debit_ids=[shards[i] for i in order], **fields), None
    except ledger.Insufficient:
        pass
    if _pool(budget, shards[order[0]], amount):
        return ledger.post_issuance(debit_ids=[shards[order[0]]], **fields), None
    raise _BudgetExhausted


class _BudgetExhausted(Exception):
    pass


def budget_open(budget: Budget) -> bool:
    today = timezone.localdate()
    return (
        budget.active
        and budget.valid_from <= today
        and (budget.valid_until is None or budget.valid_until >= today)
    )


def _decide(award: Award, rule: EarningRule, actor, *, deferred: bool = False) -> tuple[int, int] | None:
    """Pay an award within its caps and its budget, or record why not; then save the award.

    Returns the (shard, points) debit still to apply when ``deferred`` (see ``_issue``).
    The caller wraps this in a savepoint: counter, transfer, award row and debit are written
    together. A duplicate fails on the transfer's unique key or on the award row's unique
    (rule, source); either way the savepoint is rolled back and the caller replays the first.
    """
    grant, counter = _grant(award.account_id, rule, award.requested)
    award.paid, award.transfer = 0, None
    pending = None
    if not budget_open(rule.budget):
        award.status, award.reason = AwardStatus.REFUSED, "budget_closed"
    elif grant <= 0:
        award.status, award.reason = AwardStatus.CAPPED, "cap_reached"
    else:
        try:
            transfer, shard = _issue(
                budget=rule.budget, award=award, amount=grant, actor=actor, memo=award.note, deferred=deferred
            )
        except _BudgetExhausted:
            award.status, award.reason = AwardStatus.REFUSED, "budget_exhausted"
        else:
            pending = (shard, grant) if shard is not None else None
            award.transfer, award.paid = transfer, grant
            award.status, award.reason = paid_status(grant, award.requested)
            if counter is not None:
                counter.day_points += grant
                counter.month_points += grant
                counter.save(update_fields=["day", "day_points", "month_points"])
    award.save()
    return pending


def _outcome_of(award: Award, *, now: bool) -> AwardOutcome:
    if not now:
        return AwardOutcome(paid_now=False, points=award.paid, reason="duplicate", award=award)
    return AwardOutcome(paid_now=award.paid > 0, points=award.paid, reason=award.reason, award=award)


def _replay_award(award: Award, fingerprint: str) -> AwardOutcome:
    if award.body_hash != fingerprint:
        raise invalid(
            _(
                "This deed was already rewarded with different details (person, quantity or place); nothing was changed."
            ),
            code="points.idempotency_conflict",
        )
    return _outcome_of(award, now=False)


def _source(source_type: str, source_id) -> tuple[str, str]:
    source_type, source_id = str(source_type or "").strip(), str(source_id or "").strip()
    if not source_type or not source_id or len(source_type) > 60 or len(source_id) > 64:
        raise invalid(_("Name the deed that earned the points (its type and id)."), code="points.no_source")
    return source_type, source_id


def award_body(
    rule_code: str, source_type: str, source_id: str, account_id: int, quantity: int, area_code: str
) -> dict:
    """What a retry of the same deed must repeat to be told "duplicate" rather than refused."""
    return {
        "rule": rule_code,
        "source": [source_type, source_id],
        "account": account_id,
        "quantity": quantity,
        "area": area_code,
    }


def award_fingerprint(*deed) -> str:
    """The fingerprint of ``award_body(*deed)``, kept on the award and its transfer."""
    return lib.body_fingerprint(award_body(*deed))


def new_award(
    *,
    rule_id: int,
    rule_code: str,
    source_type: str,
    source_id: str,
    account_id: int,
    area_code: str,
    quantity: int,
    requested: int,
    note: str,
    actor,
    hashed: bool = True,
) -> Award:
    """The row of an award before it is decided (paid, capped or refused): both paths build it here.

    ``hashed=False``: without its fingerprint (a write that finds the account computes it)."""
    return sql.built(
        Award,
        rule_id=rule_id,
        rule_code=rule_code,
        source_type=source_type,
        source_id=source_id,
        account_id=account_id,
        area_id=area_code,
        quantity=quantity,
        requested=requested,
        body_hash=award_fingerprint(rule_code, source_type, source_id, account_id, quantity, area_code)
        if hashed
        else "",
        note=(note or "")[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def award_audit(award: Award, ip: str | None) -> dict:
    """What the audit entry of an award records (``audit_record``'s fields, but the actor)."""
    return {
        "action": "points.award",
        "object_type": "points.award",
        "object_id": f"{award.rule_code}:{award.source_type}:{award.source_id}"[:64],
        "area_code": award.area_id,
        "ip": ip,
        "changes": {
            "rule": award.rule_code,
            "source": f"{award.source_type}:{award.source_id}",
            "account": award.account_id,
            "requested": award.requested,
        },
    }


def _award(
    *,
    rule: EarningRule,
    rule_code: str,
    account: Account,
    source_type: str,
    source_id: str,
    area_code: str,
    quantity: int,
    actor,
    note: str,
    ip: str | None,
) -> AwardOutcome:
    award = new_award(
        rule_id=rule.pk,
        rule_code=rule_code,
        source_type=source_type,
        source_id=source_id,
        account_id=account.pk,
        area_code=area_code,
        quantity=quantity,
        requested=rule.points * quantity,
        note=note,
        actor=actor,
    )
    award.rule, award.account = rule, account
    fingerprint = award.body_hash

    # The audit entry first, before any ledger row is locked: callers (a ticket's transition,
    # a volunteer's check-out) audit their own change before they ask for the reward, so the
    # one lock order that cannot deadlock is "audit chain, then ledger rows" everywhere. The
    # outcome (paid, capped, refused) is the award row itself, written in the same transaction.
    audit_record(actor=actor, **award_audit(award, ip))

    def attempt(deferred: bool) -> None:
        with transaction.atomic():
            award.pk, award._state.adding = None, True  # a rolled-back first attempt left its id
            pending = _decide(award, rule, actor, deferred=deferred)
            if pending is not None:
                ledger.debit(*pending)  # last: the hot shard row is locked only until COMMIT

    # No look-up first: the common case is a new deed, and a duplicate fails on a unique key.
    try:
        try:
            attempt(deferred=True)
        except ledger.Insufficient:  # the home shard is short: probe the others, pool if need be
            attempt(deferred=False)
    except IntegrityError:
        existing = Award.objects.filter(
            rule_code=rule_code, source_type=source_type, source_id=source_id
        ).first()
        if existing is None:
            raise
        return _replay_award(existing, fingerprint)
    return _outcome_of(award, now=True)


_known_areas: set[str] = set()


@ledger.retrying
def points_award(
    *,
    rule_code: str,
    beneficiary=None,
    source_type: str,
    source_id,
    area_code: str,
    quantity=1,
    actor=None,
    note: str = "",
    organisation=None,
    ip: str | None = None,
) -> AwardOutcome:
    """Reward one deed under the rule that applies where it happened; pays once per (rule, source).

    The beneficiary is a person, or (``organisation``) a collective's own account.

    Within the person's daily and monthly caps for the rule (a partial payment up to the cap),
    from the rule's budget. A retry with the same details returns the first outcome as
    "duplicate"; with other details it is refused. Without an applicable rule nothing is written.

    On PostgreSQL the common case is two statements (``fast_award``), or one under a rule the
    process has paid under before: called on its own, each is its own transaction; inside a
    caller's transaction they lock what they read. Whatever they cannot settle is decided here
    through the ORM, in the same transaction or, after a ``Miss``, a fresh one.
    """
    rule_code = (rule_code or "").strip()
    source_type, source_id = _source(source_type, source_id)
    quantity = ledger.amount_of(quantity, field="quantity")
    if quantity > MAX_QUANTITY:
        raise invalid({"quantity": [_("That quantity is too large.")]}, code="points.quantity_too_large")
    if area_code not in _known_areas:
        if not Area.objects.filter(code=area_code).exists():
            raise invalid({"area_code": [_("Unknown area code.")]}, code="area.unknown")
        _known_areas.add(area_code)  # reference data: a code once known stays known
    deed = dict(
        rule_code=rule_code,
        source_type=source_type,
        source_id=source_id,
        area_code=area_code,
        quantity=quantity,
        actor=actor,
        note=note or "",
        ip=ip,
    )
    connection = transaction.get_connection()
    if fast_award.enabled(connection):
        fast = dict(
            area_chain=area_chain(area_code),
            user_id=beneficiary.pk if organisation is None else None,
            organisation_id=organisation.pk if organisation is not None else None,
            **deed,
        )
        if not connection.in_atomic_block:
            # Our own call: one or two statements, each its own transaction, nothing held in
            # between. Another writer taking the head or the counter in between is rare (each
            # connection keeps to a chain of its own): try again, then let the ORM path decide.
            for _attempt in range(3):
                try:
                    outcome = fast_award.try_award(**fast)
                except fast_award.Miss as miss:
                    if miss.read:  # the award that did not read needs what a read finds
                        fast["use_known"] = False
                    if miss.moved or miss.read:
                        continue
                    break
                if outcome is not None:
                    return outcome
                break
        else:
            try:
                with transaction.atomic():  # a savepoint in the caller's transaction
                    outcome = fast_award.try_award(**fast)
                    if outcome is not None:
                        return outcome
                    return _award_by_rule(beneficiary=beneficiary, organisation=organisation, **deed)
            except fast_award.Miss:
                pass  # rolled back to the savepoint: decided afresh below
    with transaction.atomic():
        return _award_by_rule(beneficiary=beneficiary, organisation=organisation, **deed)


def _award_by_rule(
    *, beneficiary, organisation, rule_code: str, source_type: str, source_id: str, area_code: str, **deed
):
    rule = rule_for(rule_code, area_code)
    if rule is None:  # switched off since: a retry of an earlier award still answers as before
        existing = Award.objects.filter(
            rule_code=rule_code, source_type=source_type, source_id=source_id
        ).first()
        if existing is None:
            return AwardOutcome(paid_now=False, points=0, reason="no_rule")
        rule = existing.rule
    return _award(
        rule=rule,
        rule_code=rule_code,
        account=ledger.account_for_organisation(organisation)
        if organisation is not None
        else ledger.account_for_user(beneficiary, fallback_area=area_code),
        source_type=source_type,
        source_id=source_id,
        area_code=area_code,
        **deed,
    )


@ledger.retrying
@transaction.atomic
def award_manual(
    *,
    rule: EarningRule,
    quantity,
    note: str,
    key: str,
    actor,
    beneficiary=None,
    organisation=None,
    ip: str | None = None,
) -> AwardOutcome:
    """A staff member rewards a deed recorded outside the system, under one of the rules:
    a person's, or a collective's (an organisation's own account, e.g. a task force).

    ``key`` is the form's one-time request key: submitting the same form twice pays once.
    """
    if (beneficiary is None) == (organisation is None):
        raise invalid(_("Choose either a person or an organisation."), code="points.beneficiary_required")
    if organisation is not None:
        if organisation.kind == "merchant":
            raise invalid(
                {
                    "organisation": [
                        _("A caring merchant takes points from residents; it is not awarded any.")
                    ]
                },
                code="points.merchant_not_awardable",
            )
        account = ledger.account_for_organisation(organisation)
    else:
        account = ledger.account_for_user(beneficiary, fallback_area=rule.area_id)
    _require(actor, "points.award", account.area_id)
    if not rule.active:
        raise invalid({"rule": [_("This rule is switched off.")]}, code="points.rule_inactive")
    if not account.area_id.startswith(rule.area.prefix):
        raise invalid(
            {"rule": [_("This rule does not apply where the person lives.")]}, code="points.rule_elsewhere"
        )
    note = (note or "").strip()
    if len(note) < 2:
        raise invalid({"note": [_("Describe the deed being rewarded.")]}, code="points.note_required")
    quantity = ledger.amount_of(quantity, field="quantity")
    if quantity > MAX_QUANTITY:
        raise invalid({"quantity": [_("That quantity is too large.")]}, code="points.quantity_too_large")
    key = (key or "").strip()
    if not 8 <= len(key) <= 64:
        raise invalid(_("The request key is missing; reload the form."), code="points.no_key")
    return _award(
        rule=rule,
        rule_code=rule.code,
        account=account,
        source_type="points.manual",
        source_id=key,
        area_code=account.area_id,
        quantity=quantity,
        actor=actor,
        note=note,
        ip=ip,
    )


@ledger.retrying
@transaction.atomic
def award_retry(*, award: Award, actor, ip: str | None = None) -> AwardOutcome:
    """Try again to pay an award its budget could not pay (after the budget was raised)."""
    award = (
        Award.objects.select_for_update().select_related("rule", "rule__budget", "account").get(pk=award.pk)
    )
    _require(actor, "points.award", award.area_id)
    if award.status != AwardStatus.REFUSED:
        raise invalid(_("Only an unpaid award can be paid again."), code="points.award_not_refused")
    audit_record(
        actor=actor, action="points.award.retry", obj=award, ip=ip, changes={"requested": award.requested}
    )
    with transaction.atomic():
        _decide(award, award.rule, actor)
    return _outcome_of(award, now=True)


def reward_handler(request: RewardRequest) -> RewardResult:
    """The one reward handler (``gongzhi.core.rewards``): tickets and volunteering award here."""
    User = get_user_model()
    beneficiary = User.objects.filter(pk=request.beneficiary_user_id, is_active=True).first()
    if beneficiary is None:
        return RewardResult(paid=False, points=0, reason="no_beneficiary")
    actor = User.objects.filter(pk=request.actor_id).first() if request.actor_id else None
    outcome = points_award(
        rule_code=request.rule,
        beneficiary=beneficiary,
        source_type=request.source_type,
        source_id=request.source_id,
        area_code=request.area_code,
        quantity=request.quantity,
        actor=actor,
        note=request.note,
    )
    return RewardResult(
        paid=outcome.paid_now, points=outcome.points, reason=outcome.reason, transfer_id=outcome.transfer_id
    )
