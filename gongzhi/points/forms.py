"""Forms of the points pages. They check shapes; the services check meaning (and say why)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.areas.models import Area

from .models import AccountKind, Budget, EarningRule, NomineeKind, RuleUnit, TransferKind
from .services.earning import RULE_CODE
from .services.ledger import amount_of


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    """A form that carries a one-time request key, so submitting it twice acts once."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", new_key())


class PointsField(forms.CharField):
    """Whole points, typed as text so the message can say "1.5 is not a whole number"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value not in self.empty_values:
            try:
                amount_of(value)  # the service's own check and wording
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        return attrs


class PayForm(KeyedForm):
    amount = PointsField(label=_("Points to pay"))
    payer = forms.ChoiceField(label=_("Pay from"), required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if organisations:
            choices = [("", _("My own points"))]
            choices += [
                (
                    str(a.organisation_id),
                    _("%(org)s (%(balance)d points)") % {"org": a.name, "balance": a.balance},
                )
                for a in organisations
            ]
            self.fields["payer"].choices = choices
        else:
            del self.fields["payer"]


class CollectForm(forms.Form):
    amount = PointsField(label=_("Points"))
    code = forms.CharField(
        label=_("Resident's pay code"),
        max_length=40,
        help_text=_("Scan the code on the resident's phone, or type its 18 digits."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "data-scan-target": "1"}
        ),
    )


class RefundForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the refund"), max_length=200)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is this reversed?"), max_length=200)


class RankingForm(forms.Form):
    show = forms.BooleanField(label=_("Show me in my area's ranking"), required=False)
    name = forms.CharField(
        label=_("Name to show"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to be shown as your surname with a star, e.g. 黄*."),
    )


class OrderForm(KeyedForm):
    quantity = PointsField(label=_("Quantity"), initial="1", max_length=4)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class NominationForm(forms.Form):
    nominee_kind = forms.ChoiceField(
        label=_("Who do you nominate?"), choices=NomineeKind.choices, widget=forms.RadioSelect
    )
    nominee_name = forms.CharField(label=_("Name of the person or collective"), max_length=60)
    display_name = forms.CharField(
        label=_("Name to publish"),
        max_length=60,
        help_text=_("As the nominee agreed to be shown: e.g. 黄女士, or the full name, or the team's name."),
    )
    consent = forms.CharField(
        label=_("How did the nominee agree?"),
        max_length=200,
        help_text=_("e.g. 本人当面同意公开展示 (date)."),
    )
    title = forms.CharField(label=_("Headline"), max_length=80)
    story = forms.CharField(label=_("Their story"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6}))
    area = forms.ModelChoiceField(label=_("Community"), queryset=Area.objects.none())
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, up to 5 MB. Location and camera data are removed before it is stored."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("reject", _("Do not publish"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the nominator"), max_length=200, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RuleForm(forms.Form):
    def clean_code(self):
        code = self.cleaned_data["code"].strip().lower()
        if not RULE_CODE.match(code):
            raise forms.ValidationError(
                _('Write the source code as words joined by dots, e.g. "hazard.verified".')
            )
        return code

    code = forms.CharField(
        label=_("Source code"),
        max_length=60,
        help_text=_(
            'What earns the points, e.g. "volunteer.hour", "sentinel.resolved". It cannot change later.'
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    area = forms.ModelChoiceField(label=_("Applies in"), queryset=Area.objects.none())
    points = PointsField(label=_("Points"))
    unit = forms.ChoiceField(label=_("Unit"), choices=RuleUnit.choices)
    daily_cap = PointsField(label=_("Daily cap per person"), required=False, help_text=_("Empty: no cap."))
    monthly_cap = PointsField(
        label=_("Monthly cap per person"), required=False, help_text=_("Empty: no cap.")
    )
    budget = forms.ModelChoiceField(label=_("Paid from budget"), queryset=Budget.objects.none())
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, areas=None, budgets=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
        self.fields["budget"].queryset = budgets if budgets is not None else Budget.objects.none()
        if editing:
            for name in ("code", "area"):
                self.fields[name].disabled = True


class BudgetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    ceiling = PointsField(label=_("Ceiling (points)"))
    shard_count = forms.IntegerField(
        label=_("Shards"),
        min_value=1,
        max_value=64,
        initial=8,
        help_text=_("Issuance accounts the ceiling is split over, so many awards at once do not queue."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()


class BudgetEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    ceiling = PointsField(label=_("Ceiling (points)"))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=_("Active"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class AwardForm(KeyedForm):
    mobile = forms.CharField(
        label=_("Person's mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    organisation = forms.ModelChoiceField(
        label=_("…or a collective"),
        queryset=None,
        required=False,
        help_text=_("A team or organisation rewarded as a whole; its members spend the points together."),
    )
    rule = forms.ModelChoiceField(label=_("Earning rule"), queryset=EarningRule.objects.none())
    quantity = PointsField(label=_("Quantity (occurrences or hours)"), initial="1", max_length=4)
    note = forms.CharField(label=_("What did they do?"), max_length=200)

    def __init__(self, *args, rules=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules if rules is not None else EarningRule.objects.none()
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if bool(data.get("mobile")) == bool(data.get("organisation")):
            raise forms.ValidationError(
                _("Give a person's mobile number or choose a collective (one of them).")
            )
        return data


class EnrolForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Caring merchant"), queryset=None)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MerchantStatusForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )


class ShopItemForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Shop's area"), queryset=Area.objects.none())
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    price = PointsField(label=_("Price (points)"))
    stock = forms.CharField(label=_("Stock"), max_length=6, initial="0", required=False)
    limit_per_order = PointsField(label=_("Most per order"), initial="5", max_length=3)
    pickup = forms.CharField(label=_("Where to collect"), max_length=120, required=False)
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def __init__(self, *args, areas=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
        if editing:
            self.fields["area"].disabled = True
            del self.fields["stock"]


class RestockForm(forms.Form):
    change = forms.CharField(
        label=_("Add to stock"), max_length=7, help_text=_("e.g. 20 to add, -3 to write off broken goods.")
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *TransferKind.choices], required=False
    )
    account_kind = forms.ChoiceField(
        label=pgettext_lazy("points accounts", "Accounts"),
        choices=[("", _("All accounts")), *AccountKind.choices],
        required=False,
    )
    q = forms.CharField(label=_("Name or account number"), max_length=50, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
