"""Kind policies: what makes a service order different from a sentinel report, a dispute or a
hazard, written once per kind and registered here (ARCHITECTURE decision 2: a new kind is a
policy, not a new engine).

How to add a kind (e.g. in ``gongzhi/sentinel/policies.py``, imported from its AppConfig.ready())::

    class HazardExtra(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        hazard_type: Literal["fire", "electric", "structure"]
        people_at_risk: int = pydantic.Field(0, ge=0, le=10_000)

    @register
    class HazardPolicy(KindPolicy):
        code = "hazard"                                    # stored in Ticket.kind
        label = _("Safety hazard")
        categories = (
            Category("fire", _("Fire risk"), limit="emergency"),   # limit class → deadline
            Category("building", _("Building safety"), limit="complex"),
        )
        extra_schema = HazardExtra                         # validates Ticket.extra
        resolution = Resolution(note=True, photos=1)       # what "done" needs
        submit_roles = frozenset({"resident", "rider"})    # None: anyone holding tickets.submit
        reward_rule = "hazard.rectified"                   # paid on close (gongzhi.core.rewards)

Routing (category × area → party) is data, kept by each area as ``RoutingRule`` rows; a kind may
add ranked suggestions by overriding ``suggest`` (service orders rank providers). Hooks a kind may
override: ``clean_extra``, ``may_submit``, ``deadline_for``, ``suggest``, ``on_close``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import pydantic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import field_error

from . import conf

logger = logging.getLogger("gongzhi.tickets")


@dataclass(frozen=True)
class Category:
    code: str
    label: Any  # a lazy translation
    limit: str = "general"  # limit class: emergency | utilities | general | complex (see conf)
    group: str = ""  # categories in one group are near neighbours when ranking providers

    @property
    def limit_label(self) -> str:
        return str(LIMIT_LABELS.get(self.limit, self.limit))


LIMIT_LABELS = {
    "emergency": gettext_lazy("Emergency"),
    "utilities": gettext_lazy("Utilities"),
    "general": gettext_lazy("General"),
    "complex": gettext_lazy("Complex"),
}


@dataclass(frozen=True)
class Resolution:
    """What marking a ticket done requires."""

    note: bool = True
    photos: int = 0  # at least this many photos of the work


@dataclass(frozen=True)
class PartyRef:
    """An organisation (teams included) or a person who can be offered a ticket."""

    type: str  # "org" or "user"
    id: int
    label: str = ""

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True)
class Suggestion:
    """A ranked candidate for dispatch, with the components of its cost shown to the dispatcher."""

    party: PartyRef
    cost: float  # lower is better; the sum of the weighted components (a kind's own unit)
    components: dict[str, float] = field(default_factory=dict)  # name → weighted term of the cost
    facts: dict[str, Any] = field(default_factory=dict)  # distance_km, load, capacity, rating ...
    reasons: tuple[str, ...] = ()  # human-readable, already translated
    eligible: bool = True  # False: shown for information (full, out of area), not dispatchable

    @property
    def cost_km(self) -> float:
        """The cost read as kilometres (service orders count it in metre-equivalents)."""
        return round(self.cost / 1000, 1)


class KindPolicy:
    code: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    categories: ClassVar[tuple[Category, ...]] = ()
    extra_schema: ClassVar[type[pydantic.BaseModel] | None] = None
    resolution: ClassVar[Resolution] = Resolution()
    submit_roles: ClassVar[frozenset[str] | None] = None
    offer_hours: ClassVar[float] = 4.0  # how long an offer stays open before it returns to the queue
    auto_close_days: ClassVar[int | None] = 7  # resolved but unconfirmed → closed after this many days
    follow_up_low_rating: ClassVar[bool] = True  # a rating of 1–2 opens a follow-up call (回访)
    follow_up_after_close: ClassVar[bool] = False  # a routine call the day after every closing
    reward_rule: ClassVar[str | None] = None
    reward_min_rating: ClassVar[int] = 4  # rated tickets pay the reward from this rating up
    # The kind's own page (a URL name taking ``ticket_id``), where lists link instead of the
    # generic ticket page, and the engine actions that page takes in its own way (a hazard
    # closes by re-inspection, a suggestion by an answer with a public reason): the generic
    # page does not offer them as buttons, it sends the user to the kind's page.
    page_url_name: ClassVar[str | None] = None
    actions_on_own_page: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.by_code = {c.code: c for c in self.categories}

    def page_url(self, ticket) -> str | None:
        from django.urls import reverse

        return reverse(self.page_url_name, kwargs={"ticket_id": ticket.pk}) if self.page_url_name else None

    # --- categories and deadlines -----------------------------------------------------------
    def category(self, code: str) -> Category:
        try:
            return self.by_code[code]
        except KeyError:
            raise field_error(
                "category",
                _("Unknown category “%(code)s” for %(kind)s.") % {"code": str(code)[:40], "kind": self.label},
                "ticket.unknown_category",
            ) from None

    def deadline_for(self, category: str, priority: int, now: datetime) -> datetime:
        return now + conf.limit(self.category(category).limit)

    # --- submission ---------------------------------------------------------------------------
    def clean_extra(self, data: dict | None) -> dict:
        """The kind's extra fields, validated; a ValidationError names each bad field."""
        data = data or {}
        if self.extra_schema is None:
            if data:
                raise field_error("extra", _("This kind takes no extra details."), "ticket.extra")
            return {}
        try:
            model = self.extra_schema.model_validate(data)
        except pydantic.ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for err in exc.errors():
                name = "extra." + ".".join(str(p) for p in err.get("loc", ())) if err.get("loc") else "extra"
                errors.setdefault(name, []).append(
                    ValidationError(
                        _("This value is not valid: %(reason)s") % {"reason": err.get("msg", "")},
                        code="ticket.extra",
                    )
                )
            raise ValidationError(errors) from None
        return model.model_dump(mode="json")

    def may_submit(self, user, area) -> bool:
        """Default: the role list (if any) and the tickets.submit permission."""
        if user is None:
            return False
        access = user.access
        if not access.has("tickets.submit"):
            return False
        return self.submit_roles is None or access.has_role(*self.submit_roles)

    # --- dispatch -----------------------------------------------------------------------------
    def suggest(self, ticket, *, limit: int = 5) -> list[Suggestion]:
        """Ranked candidates for dispatch; kinds without a ranking return none."""
        return []

    def offer_until(self, ticket, now: datetime) -> datetime:
        """An offer stays open ``offer_hours``, but never past half the time left to the deadline."""
        from datetime import timedelta

        window = timedelta(hours=self.offer_hours)
        if ticket.deadline:
            window = min(window, max(timedelta(minutes=15), (ticket.deadline - now) / 2))
        return now + window

    # --- closing ------------------------------------------------------------------------------
    def on_close(self, ticket, *, actor) -> None:
        """Called inside the closing transaction. Default: pay ``reward_rule`` to the handler.

        A missing points handler is logged and skipped: a reward must never block a rating.
        """
        if not self.reward_rule or ticket.accepted_by_id is None:
            return
        if ticket.rating is not None and ticket.rating < self.reward_min_rating:
            return
        pay_reward(ticket, rule=self.reward_rule, actor=actor)


def pay_reward(
    ticket, *, rule: str, actor, beneficiary_user_id: int | None = None, public: bool = False
) -> None:
    """Pay ``rule`` for this ticket once (the ledger refuses a second payment per rule and source).

    The beneficiary is the handler who accepted it unless a kind names another (e.g. the resident
    who found a hazard); ``public`` shows the payment on the submitter's timeline.
    """
    from django.db import transaction

    from gongzhi.core.rewards import NoRewardHandler, RewardRequest, reward

    beneficiary = beneficiary_user_id or ticket.accepted_by_id
    if beneficiary is None:
        return
    request = RewardRequest(
        rule=rule,
        beneficiary_user_id=beneficiary,
        source_type="tickets.ticket",
        source_id=str(ticket.pk),
        area_code=ticket.area_id,
        actor_id=getattr(actor, "pk", None),
        note=ticket.title[:100],
    )
    try:
        with transaction.atomic():  # a savepoint: a failing handler leaves the closing intact
            result = reward(request)
    except NoRewardHandler:
        logger.warning("no points handler registered: reward %s for ticket %s skipped", rule, ticket.pk)
        return
    except Exception:  # a points bug must not undo a resident's rating
        logger.exception("reward %s for ticket %s failed", rule, ticket.pk)
        return
    from .models import Action, TicketEvent, Visibility

    TicketEvent.objects.create(
        ticket=ticket,
        actor=None,
        actor_label="system",
        action=Action.COMMENT,
        from_state=ticket.state,
        to_state=ticket.state,
        visibility=Visibility.PUBLIC if public and result.paid else Visibility.INTERNAL,
        note=_("Reward paid: %(points)d points.") % {"points": result.points}
        if result.paid
        else _("No reward paid (%(reason)s).") % {"reason": result.reason or "-"},
        data={"reward_rule": rule, "paid": result.paid, "points": result.points, "reason": result.reason},
    )


registry: dict[str, KindPolicy] = {}


def register(policy_class: type[KindPolicy]) -> type[KindPolicy]:
    """Class decorator: make a kind known to the engine (once per code)."""
    if not policy_class.code:
        raise ValueError(f"{policy_class.__name__} has no code")
    existing = registry.get(policy_class.code)
    if existing is not None and type(existing) is not policy_class:
        raise ValueError(
            f"ticket kind {policy_class.code!r} is already registered by {type(existing).__name__}"
        )
    registry[policy_class.code] = policy_class()
    return policy_class


def get_policy(code: str) -> KindPolicy:
    try:
        return registry[code]
    except KeyError:
        raise field_error("kind", _("Unknown kind of ticket."), "ticket.unknown_kind") from None


def kind_choices() -> list[tuple[str, str]]:
    return [(code, str(p.label)) for code, p in sorted(registry.items())]
