"""The one ticket engine (ARCHITECTURE decision 2): every case that is submitted, dispatched,
accepted, handled, resolved and rated lives here, whatever its kind.

The life cycle is one state machine written as data (``TRANSITIONS``): each action names the states
it may start from, the state it leads to (or ``None`` when the state stays, as for an escalation
or a reminder) and the parties who may take it. ``gongzhi.tickets.services`` applies it; each
applied action writes an immutable ``TicketEvent`` and an audit entry. What differs between kinds
(categories, deadlines, extra fields, routing, resolution, rewards) is a ``KindPolicy``
(``gongzhi.tickets.policies``), never a new engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.scoping import ScopedQuerySet


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")


# Waiting for the dispatcher (the 派单 queue).
QUEUE_STATES = frozenset({State.SUBMITTED, State.RETURNED, State.REOPENED})
# Someone is on it (or has been offered it).
WORKING_STATES = frozenset({State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS})
OPEN_STATES = QUEUE_STATES | WORKING_STATES
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    DISPATCH = "dispatch", _("Dispatch")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    EXPIRE_OFFER = "expire_offer", _("Offer expired")
    RETURN = "return", _("Return to the queue")
    REASSIGN = "reassign", _("Reassign")
    START = "start", _("Start work")
    RESOLVE = "resolve", _("Mark done")
    RATE = "rate", _("Confirm and rate")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    CANCEL = "cancel", _("Cancel")
    ESCALATE = "escalate", _("Escalate (督办)")
    REMIND = "remind", _("Deadline reminder")
    REQUEST_EXTENSION = "request_extension", _("Ask for more time")
    GRANT_EXTENSION = "grant_extension", _("Grant more time")
    DENY_EXTENSION = "deny_extension", _("Refuse more time")
    COMMENT = "comment", _("Note")


class Party(models.TextChoices):
    """The hats an actor can wear on one ticket; a transition lists the hats that may take it."""

    SUBMITTER = "submitter", _("the submitter")
    DISPATCHER = "dispatcher", _("the community's dispatcher")
    SUPERVISOR = "supervisor", _("the supervising level")
    OFFEREE = "offeree", _("a party it is offered to")
    ASSIGNEE = "assignee", _("the party handling it")
    SYSTEM = "system", _("the system")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the ticket stays in its state
    by: frozenset[str]


def _t(action, sources, target, *by) -> tuple[str, Transition]:
    return action, Transition(
        str(action), frozenset(str(s) for s in sources), target and str(target), frozenset(by)
    )


S, P = State, Party
TRANSITIONS: dict[str, Transition] = dict(
    [
        _t(Action.DISPATCH, QUEUE_STATES, S.DISPATCHED, P.DISPATCHER, P.SUPERVISOR, P.SYSTEM),
        _t(Action.ACCEPT, {S.DISPATCHED}, S.ACCEPTED, P.OFFEREE),
        # A declined or expired offer leaves the ticket dispatched while other offers are open;
        # the service then returns it to the queue when none is left.
        _t(Action.DECLINE, {S.DISPATCHED}, None, P.OFFEREE),
        _t(Action.EXPIRE_OFFER, {S.DISPATCHED}, None, P.SYSTEM),
        _t(Action.RETURN, WORKING_STATES, S.RETURNED, P.ASSIGNEE, P.DISPATCHER, P.SUPERVISOR, P.SYSTEM),
        _t(Action.REASSIGN, WORKING_STATES, S.DISPATCHED, P.DISPATCHER, P.SUPERVISOR),
        _t(Action.START, {S.ACCEPTED}, S.IN_PROGRESS, P.ASSIGNEE),
        _t(Action.RESOLVE, {S.ACCEPTED, S.IN_PROGRESS}, S.RESOLVED, P.ASSIGNEE),
        _t(Action.RATE, {S.RESOLVED}, S.CLOSED, P.SUBMITTER),
        _t(Action.CLOSE, {S.RESOLVED}, S.CLOSED, P.SUBMITTER, P.DISPATCHER, P.SUPERVISOR, P.SYSTEM),
        _t(Action.REOPEN, {S.RESOLVED, S.CLOSED}, S.REOPENED, P.SUBMITTER, P.DISPATCHER, P.SUPERVISOR),
        _t(
            Action.CANCEL, QUEUE_STATES | {S.DISPATCHED}, S.CANCELLED, P.SUBMITTER, P.DISPATCHER, P.SUPERVISOR
        ),
        _t(Action.ESCALATE, OPEN_STATES, None, P.SYSTEM, P.DISPATCHER, P.SUPERVISOR),
        _t(Action.REMIND, OPEN_STATES, None, P.SYSTEM),
        _t(Action.REQUEST_EXTENSION, {S.ACCEPTED, S.IN_PROGRESS}, None, P.ASSIGNEE),
        _t(Action.GRANT_EXTENSION, {S.ACCEPTED, S.IN_PROGRESS}, None, P.DISPATCHER, P.SUPERVISOR),
        _t(Action.DENY_EXTENSION, {S.ACCEPTED, S.IN_PROGRESS}, None, P.DISPATCHER, P.SUPERVISOR),
        _t(
            Action.COMMENT,
            OPEN_STATES | {S.RESOLVED},
            None,
            P.SUBMITTER,
            P.DISPATCHER,
            P.SUPERVISOR,
            P.ASSIGNEE,
        ),
    ]
)
del S, P


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class EscalationLevel(models.IntegerChoices):
    """督办 ladder: the area level that supervises an overdue ticket (community → town → city)."""

    NONE = 0, _("Not escalated")
    TOWN = 1, _("Town / street")
    CITY = 2, _("City / district")


class TicketQuerySet(ScopedQuerySet):
    """Who sees a ticket: the office of its area (``tickets.view``), its submitter, the party
    handling it and the parties it is currently offered to.

    ``visible_to`` is the union of the facets below. List pages use the one facet they show
    (``submitted_by``, ``assigned_to``, ``offered_to``, ``in_area_scope``): each is a subset of
    ``visible_to`` and each is served by its own composite index, which a wide OR would not be.
    """

    area_field = "area_id"
    view_permission = "tickets.view"

    def in_area_scope(self, viewer, permission: str | None = None):
        return super().visible_to(viewer, permission)

    def submitted_by(self, viewer):
        if not _signed_in(viewer):
            return self.none()
        return self.filter(submitter_id=viewer.pk)

    def assigned_to(self, viewer):
        if not _signed_in(viewer):
            return self.none()
        return self.filter(_assignee_q(viewer))

    def offered_to(self, viewer):
        if not _signed_in(viewer):
            return self.none()
        return self.filter(
            Exists(TicketOffer.objects.open().for_party(viewer).filter(ticket_id=OuterRef("pk")))
        )

    def visible_to(self, viewer, permission: str | None = None):
        if not _signed_in(viewer):
            return self.none()
        q = Q(submitter_id=viewer.pk) | _assignee_q(viewer)
        q |= Exists(TicketOffer.objects.open().for_party(viewer).filter(ticket_id=OuterRef("pk")))
        scope = viewer.access.scope(permission or self.view_permission)
        if not scope.empty:
            q |= scope.q(self.area_field, None, viewer)
        return self.filter(q)

    def open(self):
        return self.filter(state__in=OPEN_STATES)


def _signed_in(viewer) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def party_org_ids(viewer) -> list[int]:
    """Organisations a user acts for: those of their provider memberships."""
    from .permissions import PROVIDER_ROLES

    return sorted(
        {
            m.organisation_id
            for m in viewer.access.memberships
            if m.organisation_id and m.role in PROVIDER_ROLES
        }
    )


def _assignee_q(viewer) -> Q:
    q = Q(assignee_user_id=viewer.pk)
    orgs = party_org_ids(viewer)
    if orgs:
        q |= Q(assignee_org_id__in=orgs)
    return q


class Ticket(models.Model):
    kind = models.CharField(_("kind"), max_length=30)
    category = models.CharField(_("category"), max_length=40)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    # FK columns led by a composite index below carry no index of their own (one less per insert).
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"), db_index=False
    )
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    # SET_NULL: an account erased on request (PIPL art. 47) leaves the case on record, anonymous.
    submitter = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_tickets",
        verbose_name=_("submitter"),
        db_index=False,
    )
    # The party handling it: an organisation (a team is an organisation of kind "team") or a person.
    assignee_org = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assigned organisation"),
        db_index=False,
    )
    assignee_user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assigned person"),
        db_index=False,
    )
    accepted_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    extension_requested_until = models.DateTimeField(_("more time asked until"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution_note = models.TextField(_("what was done"), blank=True, default="")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True, default="")
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The dispatch queue: a few states, an area subtree (a code range), a kind. The state
            # leads: after a range on its first column an index is no use for the next ones, so
            # (area, state, ...) would read every ticket of the area to find the few waiting ones.
            models.Index(fields=["state", "area", "kind", "created_at"], name="ticket_queue"),
            # Everything of an area (the office's list), newest first.
            models.Index(fields=["area", "created_at"], name="ticket_area_created"),
            # One kind's newest first (Open311 ``GET requests``, each kind's public lists); the id
            # breaks ties in the same order, so ``ORDER BY created_at DESC, id DESC LIMIT n`` is a
            # backward index scan, not a sort of the window.
            models.Index(fields=["kind", "created_at", "id"], name="ticket_kind_created"),
            # "My orders": one submitter, newest first.
            models.Index(fields=["submitter", "created_at"], name="ticket_submitter"),
            # "My jobs": one handler, by state.
            models.Index(fields=["assignee_user", "state", "created_at"], name="ticket_assignee_user"),
            models.Index(fields=["assignee_org", "state", "created_at"], name="ticket_assignee_org"),
            # The periodic tick: open tickets by deadline.
            models.Index(fields=["state", "deadline"], name="ticket_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee_org__isnull=True) | Q(assignee_user__isnull=True),
                name="ticket_one_assignee",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            ),
            models.CheckConstraint(condition=Q(state__in=State.values), name="ticket_state_known"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"{self.created_at:%Y%m%d}-{self.pk or 0:06d}"

    @property
    def assignee(self):
        return self.assignee_org or self.assignee_user

    @property
    def assignee_label(self) -> str:
        party = self.assignee
        return str(party.name if hasattr(party, "name") else party) if party else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, now=None) -> bool:
        return bool(self.deadline and self.is_open and self.deadline < (now or timezone.now()))

    @property
    def policy(self):
        from .policies import get_policy

        return get_policy(self.kind)

    @property
    def page_url(self) -> str:
        """Where a list links for this ticket: its kind's own page if it has one, else the generic page."""
        from django.urls import reverse

        from .policies import registry

        policy = registry.get(self.kind)
        return (policy.page_url(self) if policy else None) or reverse("tickets:detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        from .policies import registry

        policy = registry.get(self.kind)
        return str(policy.label) if policy else self.kind

    @property
    def category_label(self) -> str:
        from .policies import registry

        policy = registry.get(self.kind)
        category = policy.by_code.get(self.category) if policy else None
        return str(category.label) if category else self.category


class OfferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=TicketOffer.Status.OPEN)

    def for_party(self, viewer):
        q = Q(party_user_id=viewer.pk)
        orgs = party_org_ids(viewer)
        if orgs:
            q |= Q(party_org_id__in=orgs)
        return self.filter(q)


class TicketOffer(models.Model):
    """A dispatched ticket offered to one party (接单 invitation); the first to accept wins."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="offers")
    party_org = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    party_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")
    offered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why this party was suggested: the ranked components shown to the dispatcher, kept as evidence.
    reasons = models.JSONField(default=dict, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_at"]
        indexes = [
            models.Index(fields=["party_user", "status"], name="offer_user_status"),
            models.Index(fields=["party_org", "status"], name="offer_org_status"),
            models.Index(fields=["status", "expires_at"], name="offer_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(party_org__isnull=True) & Q(party_user__isnull=False))
                | (Q(party_org__isnull=False) & Q(party_user__isnull=True)),
                name="offer_exactly_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.ticket_id} → {self.party_label}"

    @property
    def party(self):
        return self.party_org or self.party_user

    @property
    def party_label(self) -> str:
        party = self.party
        return getattr(party, "name", "") if party else ""


class PartyStats(models.Model):
    """Running rating totals of one party (organisation or person), kept by the rating service.

    Ranking providers reads the mean rating of dozens of parties per page; summing their closed
    tickets each time costs a scan of thousands of rows per party at a province's scale, so the
    totals live here, changed in the same transaction as the rating (and undone on reopening).
    """

    party_org = models.OneToOneField(
        "directory.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="ticket_stats"
    )
    party_user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="ticket_stats"
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(party_org__isnull=True) & Q(party_user__isnull=False))
                | (Q(party_org__isnull=False) & Q(party_user__isnull=True)),
                name="party_stats_exactly_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_org_id or self.party_user_id}: {self.rating_sum}/{self.rating_count}"

    @property
    def mean(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Shown to the submitter")
    INTERNAL = "internal", _("Internal")


class TicketEvent(models.Model):
    """One step of a ticket's timeline. Immutable: written once, never changed or removed."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=80, blank=True, default="")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=12, blank=True, default="")
    to_state = models.CharField(max_length=12, blank=True, default="")
    note = models.TextField(blank=True, default="")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("ticket events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("ticket events are immutable")

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label) if self.action in Action.values else self.action

    @property
    def to_state_label(self) -> str:
        return str(State(self.to_state).label) if self.to_state in State.values else ""


class TicketAttachment(models.Model):
    """A photo: checked by opening it, re-encoded (which drops EXIF, GPS included) and stored."""

    class Stage(models.TextChoices):
        SUBMISSION = "submission", _("With the request")
        RESOLUTION = "resolution", _("Proof of the work")
        NOTE = "note", _("With a note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    file = models.FileField(upload_to="tickets/", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.name


class RoutingRuleQuerySet(ScopedQuerySet):
    view_permission = "tickets.routing"


class RoutingRule(models.Model):
    """Automatic dispatch set by an area (category × area → party, or the kind's best match)."""

    class Strategy(models.TextChoices):
        PARTY = "party", _("Always to the named party")
        BEST_MATCH = "best_match", _("To the best-ranked suggestion")

    kind = models.CharField(_("kind"), max_length=30)
    category = models.CharField(
        _("category"), max_length=40, blank=True, default="", help_text=_("Empty: every category.")
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    strategy = models.CharField(
        _("how"), max_length=12, choices=Strategy.choices, default=Strategy.BEST_MATCH
    )
    party_org = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    party_user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["area_id", "kind", "category", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        indexes = [models.Index(fields=["kind", "is_active", "area"], name="routing_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(strategy="best_match", party_org__isnull=True, party_user__isnull=True)
                | Q(strategy="party", party_org__isnull=False, party_user__isnull=True)
                | Q(strategy="party", party_org__isnull=True, party_user__isnull=False),
                name="routing_rule_party_matches_strategy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.category or '*'}@{self.area_id}"

    @property
    def kind_label(self) -> str:
        from .policies import registry

        policy = registry.get(self.kind)
        return str(policy.label) if policy else self.kind

    @property
    def category_label(self) -> str:
        from .policies import registry

        policy = registry.get(self.kind)
        category = policy.by_code.get(self.category) if policy else None
        return str(category.label) if category else self.category


class FollowUpQuerySet(ScopedQuerySet):
    view_permission = "tickets.follow_up"

    def pending(self):
        return self.filter(done_at__isnull=True)


class FollowUp(models.Model):
    """A follow-up call (回访) owed to a resident: after a low rating, or routinely after closing."""

    class Reason(models.TextChoices):
        LOW_RATING = "low_rating", _("Low rating")
        ROUTINE = "routine", _("Routine call after closing")
        REOPENED = "reopened", _("Reopened by the resident")

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Still unsatisfied")
        UNREACHABLE = "unreachable", _("Could not be reached")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="follow_ups")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["area", "done_at", "due_at"], name="followup_queue")]

    def __str__(self) -> str:
        return f"follow-up {self.ticket_id}"
