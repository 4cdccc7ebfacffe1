"""Year-end expiry (off by default): points older than the configured age expire on 31 December.

Spending always uses the oldest points first, so what expires is what remains of the credits
older than the cutoff once everything debited by year end is taken from them
(``gongzhi.lib.points.expirable``). Residents are told the figure ahead of time (a notice on
their points page, recorded per year), and the expiry itself is a transfer per person to the
scheme's expiry account, keyed by year and account, so running it twice expires nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import invalid
from gongzhi.lib import points as lib

from ..conf import points_setting
from ..models import Account, AccountKind, ExpiryNotice, Transfer, TransferKind
from . import ledger


def expiry_enabled() -> bool:
    return bool(points_setting("EXPIRY_ENABLED"))


def _require_enabled() -> None:
    if not expiry_enabled():
        raise invalid(
            _("Points expiry is switched off for this installation (GONGZHI_POINTS_EXPIRY)."),
            code="points.expiry_off",
        )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def expiry_cutoff(year: int) -> date:
    return lib.expiry_cutoff(year, int(points_setting("EXPIRY_AGE_MONTHS")))


def expiry_amounts(year: int, account_ids: list[int] | None = None, accounts=None) -> dict[int, int]:
    """{person account id: points that expire at the end of ``year``} (only those above zero).

    Narrowed to ``account_ids`` or to an ``accounts`` queryset (a staff member's scope).
    """
    cutoff = _local_midnight(expiry_cutoff(year))
    year_end = _local_midnight(date(year + 1, 1, 1))
    credits = Transfer.objects.filter(credit__kind=AccountKind.PERSON, created_at__lt=cutoff)
    debits = Transfer.objects.filter(debit__kind=AccountKind.PERSON, created_at__lt=year_end)
    if account_ids is not None:
        credits, debits = credits.filter(credit_id__in=account_ids), debits.filter(debit_id__in=account_ids)
    if accounts is not None:
        ids = accounts.values("id")
        credits, debits = credits.filter(credit_id__in=ids), debits.filter(debit_id__in=ids)
    credited = dict(credits.values("credit").annotate(s=Sum("amount")).values_list("credit", "s"))
    debited = dict(debits.values("debit").annotate(s=Sum("amount")).values_list("debit", "s"))
    amounts = {acc: lib.expirable(points, debited.get(acc, 0)) for acc, points in credited.items()}
    return {acc: points for acc, points in amounts.items() if points > 0}


@dataclass(frozen=True)
class ExpiryForecast:
    year: int
    points: int
    on: date


def expiry_forecast(account: Account, today: date | None = None) -> ExpiryForecast | None:
    """What the holder should be told: points expiring this year end, within the notice window."""
    if not expiry_enabled() or account.kind != AccountKind.PERSON:
        return None
    today = today or timezone.localdate()
    year_end = date(today.year, 12, 31)
    if (year_end - today).days > int(points_setting("EXPIRY_NOTICE_DAYS")):
        return None
    points = expiry_amounts(today.year, [account.pk]).get(account.pk, 0)
    return ExpiryForecast(today.year, min(points, account.balance), year_end) if points else None


def scope_of(actor):
    """The accounts a staff member's expiry run covers (all of them for the scheduled task)."""
    if actor is None:
        return None
    return Account.objects.visible_to(actor, "points.run_expiry").filter(kind=AccountKind.PERSON)


@transaction.atomic
def expiry_notify(*, year: int, actor=None) -> int:
    """Record this year's notice for every person with points to expire; returns how many."""
    _require_enabled()
    amounts = expiry_amounts(year, accounts=scope_of(actor))
    ExpiryNotice.objects.bulk_create(
        [ExpiryNotice(account_id=acc, year=year, points=points) for acc, points in amounts.items()],
        ignore_conflicts=True,
    )
    audit_record(
        actor=actor,
        action="points.expiry.notify",
        object_type="points.expirynotice",
        object_id=str(year),
        changes={"year": year, "accounts": len(amounts), "points": sum(amounts.values())},
    )
    return len(amounts)


@dataclass(frozen=True)
class ExpiryRun:
    year: int
    accounts: int
    points: int


@ledger.retrying
@transaction.atomic
def _expire_one(account: Account, year: int, points: int, actor) -> int:
    account.refresh_from_db(fields=["balance"])
    points = min(points, account.balance)  # spent since year end: those points are gone already
    if points <= 0:
        return 0
    key = f"expire:{year}:{account.pk}"
    posted = ledger.post(
        kind=TransferKind.EXPIRY,
        debit_id=account.pk,
        credit_id=ledger.system_account_id(AccountKind.EXPIRY, account.area_id, key),
        amount=points,
        key=key,
        fingerprint=lib.body_fingerprint({"expire": year, "account": account.pk}),
        source_type="points.expiry",
        source_id=str(year),
        area_code=account.area_id,
        counter_area_code=ledger.scheme_code(account.area_id),
        actor=actor,
        memo=_("Points earned before %(cutoff)s expired at the end of %(year)d")
        % {"cutoff": expiry_cutoff(year).isoformat(), "year": year},
    )
    return points if posted.created else 0


def expiry_run(*, year: int, actor=None, today: date | None = None) -> ExpiryRun:
    """Expire the year's old points, one transfer per person (each in its own transaction)."""
    _require_enabled()
    today = today or timezone.localdate()
    if today < date(year, 12, 31):
        raise invalid(
            _("Points of %(year)d expire on 31 December, not before.") % {"year": year},
            code="points.expiry_early",
        )
    amounts = expiry_amounts(year, accounts=scope_of(actor))
    done = total = 0
    for account in Account.objects.filter(pk__in=list(amounts)).order_by("id").iterator(chunk_size=2000):
        expired = _expire_one(account, year, amounts[account.pk], actor)
        if expired:
            done += 1
            total += expired
    audit_record(
        actor=actor,
        action="points.expiry.run",
        object_type="points.transfer",
        object_id=str(year),
        changes={"year": year, "accounts": done, "points": total},
    )
    return ExpiryRun(year, done, total)
