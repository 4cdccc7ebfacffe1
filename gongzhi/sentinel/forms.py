from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.directory.models import Organisation
from gongzhi.tickets.forms import PhotosField

from .models import DuplicateReward


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it"), widget=forms.RadioSelect(attrs={"class": "tiles"}))
    photos = PhotosField(label=_("Photos"), required=False)
    text = forms.CharField(
        label=_("In a few words"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. fake job ads on the bus stop")}),
    )
    area = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)
    address = forms.CharField(label=_("Place (optional)"), max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.code, c.name) for c in categories]
        self.fields["area"].queryset = areas


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Same as lead number"), min_value=1)


class CategoryForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits and _; it cannot change later.")
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Organisation.objects.filter(is_active=True), required=False
    )
    deadline_hours = forms.IntegerField(label=_("Deadline (hours)"), min_value=1, initial=72)
    reward_units = forms.IntegerField(
        label=_("Reward (times the points of “sentinel.resolved”; 0: none)"),
        min_value=0,
        max_value=100,
        initial=1,
    )
    duplicate_radius_m = forms.IntegerField(label=_("Duplicates within (metres)"), initial=150)
    duplicate_window_hours = forms.IntegerField(label=_("Duplicates within (hours)"), initial=72)
    duplicate_reward = forms.ChoiceField(label=_("Reward for merged leads"), choices=DuplicateReward.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    order = forms.IntegerField(label=pgettext_lazy("sort order", "Order"), min_value=0, initial=0)


class FiguresForm(forms.Form):
    by = forms.ChoiceField(
        label=pgettext_lazy("figures grouping", "By"),
        choices=[
            ("category", _("category")),
            ("unit", pgettext_lazy("responsible unit", "unit")),
            ("area", _("area")),
            ("month", _("month")),
        ],
        required=False,
    )


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Client (application)"), max_length=100)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    account_mobile = forms.CharField(
        label=_("Reports in the name of (mobile of an account with the sentinel permission)"), max_length=20
    )
    area = forms.ModelChoiceField(label=_("May report within"), queryset=None, empty_label=None)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
