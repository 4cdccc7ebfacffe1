"""The points ledger (ARCHITECTURE decision 3), earning rules, redemption, the shop, the honour roll.

Double entry: every movement is an immutable ``Transfer`` from one ``Account`` to another, so the
sum of all balances is zero by construction. Balances live on the account rows (reads are O(1))
and ``gongzhi points verify`` proves them against the transfers. A debit is one conditional
UPDATE (``balance - amount >= floor``) in the same transaction as the transfer row: the floor is
0 for every account but the issuance shards, whose floors are their share of a budget's ceiling.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet


class AccountKind(models.TextChoices):
    PERSON = "person", _("Person")
    MERCHANT = "merchant", _("Merchant")
    ORGANISATION = "organisation", _("Organisation")
    ISSUANCE = "issuance", _("Issuance (budget)")
    REDEMPTION = "redemption", _("Redemption")
    EXPIRY = "expiry", _("Expiry")


SYSTEM_KINDS = frozenset({AccountKind.ISSUANCE, AccountKind.REDEMPTION, AccountKind.EXPIRY})


class TransferKind(models.TextChoices):
    AWARD = "award", _("Award")
    PAYMENT = "payment", _("Payment at a merchant")
    SHOP_ORDER = "shop_order", _("Points shop order")
    SETTLEMENT = "settlement", _("Merchant settlement")
    EXPIRY = "expiry", _("Expiry")
    REVERSAL = "reversal", _("Reversal")


class AccountQuerySet(ScopedQuerySet):
    owner_field = "user_id"
    view_permission = "points.view_ledger"

    def system(self):
        return self.filter(kind__in=SYSTEM_KINDS)


class Account(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=120)
    # An account outlives its holder: deleting a user or organisation must never lose points
    # from the ledger (the sum of balances would no longer be zero).
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="points_accounts",
        verbose_name=_("holder"),
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="points_accounts",
        verbose_name=_("organisation"),
    )
    budget = models.ForeignKey(
        "points.Budget",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shards",
        verbose_name=_("budget"),
    )
    shard = models.PositiveSmallIntegerField(_("shard"), default=0)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    balance = models.BigIntegerField(_("balance"), default=0)
    floor = models.BigIntegerField(_("lowest allowed balance"), default=0)
    in_ranking = models.BooleanField(_("shown in the ranking"), default=False)
    ranking_name = models.CharField(_("name in the ranking"), max_length=30, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        indexes = [models.Index(fields=["area", "kind"])]
        constraints = [
            # The database's own guard behind the conditional UPDATE: no balance below its floor.
            models.CheckConstraint(
                condition=Q(balance__gte=models.F("floor")), name="points_balance_above_floor"
            ),
            # Only an issuance shard may go below zero (by at most its share of the ceiling).
            models.CheckConstraint(
                condition=Q(floor=0) | Q(kind="issuance", floor__lt=0), name="points_floor_only_for_issuance"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="person", user__isnull=False),
                name="points_one_account_per_person",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                condition=Q(organisation__isnull=False),
                name="points_one_account_per_organisation_kind",
            ),
            models.UniqueConstraint(
                fields=["budget", "shard"], condition=Q(kind="issuance"), name="points_one_issuance_shard"
            ),
            models.UniqueConstraint(
                fields=["kind", "area", "shard"],
                condition=Q(kind__in=["redemption", "expiry"]),
                name="points_one_system_shard",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.kind in SYSTEM_KINDS

    @property
    def number(self) -> str:
        return f"{self.pk:08d}" if self.pk else ""


class BudgetQuerySet(ScopedQuerySet):
    view_permission = "points.view_ledger"

    def open_on(self, day):
        return self.filter(
            Q(active=True) & Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        )


class Budget(models.Model):
    """An issuing budget: the most points its rules may ever put into circulation (net of reversals).

    Issued through ``shards`` issuance accounts so concurrent awards do not queue on one row; the
    ceiling is split over their floors (see ``services.earning``).
    """

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    ceiling = models.BigIntegerField(_("ceiling (points)"))
    shard_count = models.PositiveSmallIntegerField(_("shards"), default=8)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("issuing budget")
        verbose_name_plural = _("issuing budgets")
        constraints = [
            models.CheckConstraint(condition=Q(ceiling__gte=0), name="points_budget_ceiling_not_negative"),
            models.CheckConstraint(
                condition=Q(shard_count__gte=1, shard_count__lte=64), name="points_budget_shards_1_to_64"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleUnit(models.TextChoices):
    EVENT = "event", _("per occurrence")
    HOUR = "hour", _("per hour")


class EarningRuleQuerySet(ScopedQuerySet):
    view_permission = "points.manage_rules"


class EarningRule(models.Model):
    """How many points a kind of deed earns, within which caps, paid from which budget.

    A rule belongs to an area; the most specific active rule for the place of the deed applies,
    so a town may fund a deed more generously than the city default.
    """

    code = models.CharField(
        _("source code"),
        max_length=60,
        help_text=_('What earns the points, e.g. "volunteer.hour", "hazard.verified".'),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    points = models.PositiveIntegerField(_("points"))
    unit = models.CharField(_("unit"), max_length=8, choices=RuleUnit.choices, default=RuleUnit.EVENT)
    daily_cap = models.PositiveIntegerField(_("daily cap per person"), null=True, blank=True)
    monthly_cap = models.PositiveIntegerField(_("monthly cap per person"), null=True, blank=True)
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="rules", verbose_name=_("issuing budget")
    )
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EarningRuleQuerySet.as_manager()

    class Meta:
        ordering = ["code", "area_id"]
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "area"], name="points_rule_code_per_area"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_rule_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TransferQuerySet(ScopedQuerySet):
    view_permission = "points.view_ledger"

    def visible_to(self, viewer, permission: str | None = None):
        """Transfers touching an account in the viewer's areas, on either side."""
        permission = permission or self.view_permission
        if viewer is None or not getattr(viewer, "is_authenticated", False):
            return self.none()
        scope = viewer.access.scope(permission)
        if scope.empty:
            return self.none()
        return self.filter(scope.q("area_id", None, viewer) | scope.q("counter_area_id", None, viewer))

    def of_account(self, account_id: int):
        return self.filter(Q(debit_id=account_id) | Q(credit_id=account_id))


class ImmutableError(RuntimeError):
    pass


class Transfer(models.Model):
    """One movement of points. Never edited, never deleted: a correction is a reversal."""

    kind = models.CharField(_("kind"), max_length=12, choices=TransferKind.choices)
    # Each side and area is indexed with the id (Meta.indexes), which serves a look-up by the
    # side alone as well: a transfer is written 10 index entries, not 17.
    debit = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="debits",
        verbose_name=_("from account"),
        db_index=False,
    )
    credit = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("to account"),
        db_index=False,
    )
    amount = models.BigIntegerField(_("points"))
    idempotency_key = models.CharField(max_length=160)  # unique: Meta.constraints (no pattern index)
    body_hash = models.CharField(max_length=64)
    source_type = models.CharField(_("cause (type)"), max_length=60)
    source_id = models.CharField(_("cause (id)"), max_length=64)
    rule_code = models.CharField(_("earning rule"), max_length=60, blank=True, default="")
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    # The two sides' areas, copied so a scoped ledger is a plain indexed filter with no join.
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"), db_index=False
    )
    counter_area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", db_index=False)
    memo = models.CharField(_("memo"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        indexes = [
            models.Index(fields=["debit", "id"]),
            models.Index(fields=["credit", "id"]),
            models.Index(fields=["area", "id"]),
            models.Index(fields=["counter_area", "id"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="points_transfer_key_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit=models.F("credit")), name="points_transfer_two_accounts"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("a transfer is never changed: post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("a transfer is never deleted: post a reversal instead")

    @property
    def number(self) -> str:
        return f"{self.pk:010d}" if self.pk else ""


class AwardStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    CAPPED = "capped", _("Capped")
    REFUSED = "refused", _("Not paid")
    REVERSED = "reversed", _("Reversed")


class AwardQuerySet(ScopedQuerySet):
    view_permission = "points.view_ledger"


class Award(models.Model):
    """The decision on one deed: which rule, which source object, how many points were paid.

    ``(rule_code, source_type, source_id)`` is unique, so a deed never pays twice, even when a
    more specific rule appears later or the caller retries.
    """

    rule = models.ForeignKey(EarningRule, on_delete=models.PROTECT, related_name="awards")
    rule_code = models.CharField(max_length=60)
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="awards")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    quantity = models.PositiveIntegerField(default=1)
    requested = models.PositiveIntegerField(_("points earned"))
    paid = models.PositiveIntegerField(_("points paid"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices)
    reason = models.CharField(_("reason"), max_length=30, blank=True, default="")
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="award"
    )
    body_hash = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "source_type", "source_id"], name="points_award_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.source_type}:{self.source_id}"


class AwardCounter(models.Model):
    """Points one account earned under one rule code this month, and on its latest day.

    One row per (account, rule, month) holds both counts, so a capped award locks one row.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    rule_code = models.CharField(max_length=60)
    month = models.CharField(max_length=7)  # "2026-03"
    month_points = models.PositiveIntegerField(default=0)
    day = models.DateField()
    day_points = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "rule_code", "month"], name="points_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.month}: {self.month_points}"


class MerchantStatus(models.TextChoices):
    ACTIVE = "active", _("In the scheme")
    SUSPENDED = "suspended", _("Suspended")


class MerchantQuerySet(ScopedQuerySet):
    view_permission = "points.view_ledger"

    def active(self):
        return self.filter(status=MerchantStatus.ACTIVE)


class Merchant(models.Model):
    """A caring merchant (爱心商家) enrolled in the points scheme: it accepts points city-wide."""

    # Closing a merchant means suspending it; should the directory delete the organisation
    # outright, the enrolment goes with it while its account and transfers stay in the ledger.
    organisation = models.OneToOneField(
        "directory.Organisation", on_delete=models.CASCADE, related_name="points_merchant"
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    status = models.CharField(
        _("status"), max_length=10, choices=MerchantStatus.choices, default=MerchantStatus.ACTIVE
    )
    code_version = models.PositiveIntegerField(default=1)  # bumping it voids printed merchant codes
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    objects = MerchantQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "id"]
        verbose_name = _("caring merchant")
        verbose_name_plural = _("caring merchants")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_active(self) -> bool:
        return self.status == MerchantStatus.ACTIVE


class PayCode(models.Model):
    """A resident's one-minute, single-use pay code (18 digits, shown as a QR)."""

    code = models.CharField(max_length=18, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pay_codes")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.SET_NULL, related_name="pay_code"
    )

    class Meta:
        indexes = [models.Index(fields=["account", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.code[:4]}…"


class SettlementQuerySet(ScopedQuerySet):
    view_permission = "points.view_ledger"


class Settlement(models.Model):
    """A merchant's redeemed points for one month, moved to the redemption account and paid out."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="settlements")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("month"), max_length=7)  # "2026-03"
    points = models.BigIntegerField(_("points"))
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="settlement"
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SettlementQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "merchant_id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "period"], name="points_settle_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.period}: {self.points}"


class ShopItemQuerySet(ScopedQuerySet):
    view_permission = "points.manage_shop"

    def on_sale(self):
        return self.filter(active=True)


class ShopItem(models.Model):
    """Goods in a points shop (积分超市), run by a community, town or the city."""

    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("shop's area")
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True, default="")
    price = models.PositiveIntegerField(_("price (points)"))
    stock = models.IntegerField(_("stock"), default=0)
    limit_per_order = models.PositiveSmallIntegerField(_("most per order"), default=5)
    pickup = models.CharField(_("where to collect"), max_length=120, blank=True, default="")
    active = models.BooleanField(_("on sale"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShopItemQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "price", "id"]
        verbose_name = _("shop item")
        verbose_name_plural = _("shop items")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="points_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Ready to collect")
    HANDED_OVER = "handed_over", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")


class ShopOrderQuerySet(ScopedQuerySet):
    view_permission = "points.manage_shop"


class ShopOrder(models.Model):
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="orders")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="shop_orders")
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    idempotency_key = models.CharField(max_length=160, unique=True)
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="shop_order")
    refund = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="refunded_order"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ShopOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("shop order")
        verbose_name_plural = _("shop orders")

    def __str__(self) -> str:
        return f"{self.number} {self.item}"

    @property
    def number(self) -> str:
        return f"{self.pk:08d}" if self.pk else ""


class ExpiryNotice(models.Model):
    """The notice a person was given that points will expire at the end of ``year``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="expiry_notices")
    year = models.PositiveSmallIntegerField()
    points = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "year"], name="points_one_notice_a_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.points}"


class NomineeKind(models.TextChoices):
    PERSON = "person", _("A person")
    COLLECTIVE = "collective", _("A collective")


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NominationQuerySet(ScopedQuerySet):
    owner_field = "nominated_by_id"
    view_permission = "points.review_nominations"

    def published(self):
        return self.filter(status=NominationStatus.PUBLISHED)


class Nomination(models.Model):
    """A nomination to the honour roll "好样的！你": a person or a collective, a story, a photo."""

    nominee_kind = models.CharField(_("who"), max_length=10, choices=NomineeKind.choices)
    nominee_name = models.CharField(_("nominee's name"), max_length=60)
    display_name = models.CharField(
        _("name to publish"),
        max_length=60,
        help_text=_("As the nominee agreed to be shown, e.g. 黄女士 or the full name."),
    )
    nominee_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominee_organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent = models.CharField(
        _("nominee's consent"),
        max_length=200,
        help_text=_("How the nominee agreed to publication, e.g. 本人口头同意 2026-03-01."),
    )
    title = models.CharField(_("headline"), max_length=80)
    story = models.TextField(_("story"), max_length=3000)
    photo = models.ImageField(_("photo"), upload_to="points/honour/%Y/", blank=True, default="")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    nominated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=200, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")

    def __str__(self) -> str:
        return self.title


# Allowed moves, as data (STYLE habit 4): a service refuses any move not listed here.
NOMINATION_TRANSITIONS: dict[str, frozenset[str]] = {
    NominationStatus.SUBMITTED: frozenset(
        {NominationStatus.PUBLISHED, NominationStatus.REJECTED, NominationStatus.WITHDRAWN}
    ),
    NominationStatus.PUBLISHED: frozenset({NominationStatus.WITHDRAWN}),
    NominationStatus.REJECTED: frozenset(),
    NominationStatus.WITHDRAWN: frozenset(),
}
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.HANDED_OVER, OrderStatus.CANCELLED}),
    OrderStatus.HANDED_OVER: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
