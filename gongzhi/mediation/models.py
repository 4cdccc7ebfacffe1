"""Disputes (矛盾纠纷) and consumer complaints (消费投诉): two kinds of the one ticket engine
(ARCHITECTURE decision 2). The ticket keeps the case, its area, state, assignee and timeline; the
rows here keep only what these kinds add, one-to-one with their ticket: the parties and the
mediation sessions of a dispute, the merchant and the claim of a complaint, and the outcome of
either, without which the case cannot be closed.

None of these rows has an area of its own: every read goes through the ticket's scoped queryset.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

NAME_CONTEXT = "mediation.party_name"
MOBILE_CONTEXT = "mediation.party_mobile"


class Referral(models.TextChoices):
    NONE = "", _("Not referred")
    LEGAL_DESK = "legal_desk", _("Legal desk (法治护航专席)")
    COURT = "court", _("The courts")


class Conclusion(models.Model):
    """What a case ended with. ``outcome_round`` is the ticket's ``reopen_count`` when the outcome
    was recorded: a reopened case needs a new outcome before it may close again."""

    outcome = models.CharField(_("outcome"), max_length=12, blank=True, default="")
    outcome_round = models.PositiveSmallIntegerField(null=True, blank=True)
    referral = models.CharField(
        _("referred to"), max_length=12, choices=Referral.choices, blank=True, default=""
    )
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def has_current_outcome(self, ticket) -> bool:
        return bool(self.outcome) and self.outcome_round == ticket.reopen_count


class DisputeOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")


class Dispute(Conclusion):
    """The mediation side of one ticket of kind ``dispute``; its category is the dispute type."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="dispute"
    )
    agreement = models.TextField(_("terms of the agreement"), blank=True, default="")

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["", *DisputeOutcome.values]), name="dispute_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"dispute {self.ticket_id}"

    @property
    def outcome_label(self) -> str:
        return str(DisputeOutcome(self.outcome).label) if self.outcome else ""


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Other party")


class DisputeParty(models.Model):
    """A party to a dispute. Name and phone are personal data: stored encrypted, kept masked for
    display, revealed only by an audited action (ARCHITECTURE decision 5)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(pgettext_lazy("dispute party", "role"), max_length=12, choices=PartyRole.choices)
    name_enc = models.TextField()
    name_masked = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    mobile_enc = models.TextField(blank=True, default="")
    mobile_masked = models.CharField(_("mobile"), max_length=20, blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dispute_id", "order", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name_masked


class SessionResult(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    PROGRESS = "progress", _("Some progress; to continue")
    NO_AGREEMENT = "no_agreement", _("No agreement")


class MediationSession(models.Model):
    """One sitting of the mediators with the parties."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    mediators = models.CharField(_("mediators"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, default="")
    result = models.CharField(_("result"), max_length=12, choices=SessionResult.choices)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute_id", "held_on", "id"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")

    def __str__(self) -> str:
        return f"session {self.dispute_id} {self.held_on}"


class Ask(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    APOLOGY = "apology", _("Apology")
    OTHER = "other", _("Something else")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the merchant put it right")
    PARTLY = "partly", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    WITHDRAWN = "withdrawn", _("Withdrawn by the consumer")


# Outcomes that count against the merchant's civility record (文明商户: 无假货、明标价、优服务).
COUNTED_OUTCOMES = (ComplaintOutcome.UPHELD, ComplaintOutcome.PARTLY)


class Complaint(Conclusion):
    """The consumer side of one ticket of kind ``complaint``: against a caring merchant."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="complaint"
    )
    # A merchant removed from the directory leaves its complaints on record under the name kept here.
    merchant = models.ForeignKey(
        "points.Merchant",
        null=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("merchant"),
    )
    merchant_name = models.CharField(_("merchant"), max_length=120)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    ask = models.CharField(_("what is asked"), max_length=12, choices=Ask.choices)
    purchased_on = models.DateField(_("bought on"), null=True, blank=True)

    class Meta:
        verbose_name = _("consumer complaint")
        verbose_name_plural = _("consumer complaints")
        indexes = [models.Index(fields=["merchant", "outcome"], name="complaint_merchant_outcome")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="complaint_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(outcome__in=["", *ComplaintOutcome.values]), name="complaint_outcome_known"
            ),
        ]

    def __str__(self) -> str:
        return f"complaint {self.ticket_id}"

    @property
    def outcome_label(self) -> str:
        return str(ComplaintOutcome(self.outcome).label) if self.outcome else ""

    @property
    def counted(self) -> bool:
        return self.outcome in COUNTED_OUTCOMES
