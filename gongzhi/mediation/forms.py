"""Forms of the dispute and complaint pages. They parse; the services decide what is allowed, and
their messages are put beside these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Ask, ComplaintOutcome, DisputeOutcome, Referral, SessionResult
from .policy import DISPUTE, ComplaintPolicy, DisputePolicy


def _choices(policy) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in policy.categories]


class _CaseForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class DisputeForm(_CaseForm):
    category = forms.ChoiceField(
        label=_("What kind of dispute"), widget=forms.RadioSelect(attrs={"class": "tiles"})
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. water from upstairs leaks into my kitchen")}
        ),
    )
    other_name = forms.CharField(label=_("The other party's name"), max_length=50, required=False)
    other_mobile = forms.CharField(label=_("Their mobile (optional)"), max_length=20, required=False)
    applicant_name = forms.CharField(
        label=_("Name of the person who brings it"),
        max_length=50,
        required=False,
        help_text=_("When you register a dispute for a resident at the office; empty: yourself."),
    )
    my_mobile = forms.CharField(
        label=_("Your mobile for the mediators (optional)"), max_length=20, required=False
    )
    field_order = ["category", "text", "other_name", "other_mobile", "applicant_name", "my_mobile", "area"]

    def __init__(self, *args, on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(DisputePolicy)
        if on_behalf:  # the office registers walk-ins: the applicant and their phone
            self.fields["my_mobile"].label = _("Their mobile (optional)")
        else:
            del self.fields["applicant_name"]


class ComplaintForm(_CaseForm):
    merchant = forms.ChoiceField(label=_("Merchant"))
    category = forms.ChoiceField(
        label=_("What went wrong"), widget=forms.RadioSelect(attrs={"class": "tiles"})
    )
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    ask = forms.ChoiceField(
        label=_("What you ask for"), choices=Ask.choices, widget=forms.RadioSelect(attrs={"class": "tiles"})
    )
    purchased_on = forms.DateField(
        label=_("Bought on (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        label=_("In a few words"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["merchant", "category", "amount", "ask", "purchased_on", "text", "area"]

    def __init__(self, *args, merchants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(ComplaintPolicy)
        self.fields["merchant"].choices = [("", "—")] + [
            (str(m.pk), f"{m.organisation.name}（{m.area.name}）") for m in merchants
        ]
        self.fields["merchant"].required = False


class AssignForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Send to"), queryset=None, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    mediators = forms.CharField(label=_("Mediators"), max_length=200, required=False)
    result = forms.ChoiceField(label=_("Result"), choices=SessionResult.choices)
    notes = forms.CharField(
        label=_("Notes (seen by the mediators and the office only)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConcludeForm(forms.Form):
    """The outcome of a dispute (with the terms agreed) or of a complaint."""

    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    agreement = forms.CharField(
        label=_("Terms agreed"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary = forms.CharField(
        label=_("What was done"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referral = forms.ChoiceField(label=_("Referred to"), choices=Referral.choices, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = DisputeOutcome if kind == DISPUTE else ComplaintOutcome
        self.fields["outcome"].choices = [("", "—"), *outcomes.choices]
        if kind != DISPUTE:
            del self.fields["agreement"]


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Show"), choices=[("name", _("Full name")), ("mobile", _("Mobile"))])
    reason = forms.CharField(label=pgettext_lazy("reason for viewing", "Why"), max_length=200)


class FiguresForm(forms.Form):
    by = forms.ChoiceField(
        label=pgettext_lazy("figures grouping", "By"),
        required=False,
        choices=[("area", _("Area")), ("category", _("Type")), ("month", _("Month"))],
    )
    complaints_by = forms.ChoiceField(
        label=_("Complaints by"),
        required=False,
        choices=[
            ("merchant", _("Merchant")),
            ("area", _("Area")),
            ("category", _("Type")),
            ("month", _("Month")),
        ],
    )
