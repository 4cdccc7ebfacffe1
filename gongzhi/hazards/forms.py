from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.tickets.forms import PhotosField

from . import conf
from .models import RiskLevel, Source


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of danger"), widget=forms.RadioSelect(attrs={"class": "tiles"})
    )
    photos = PhotosField(label=_("Photos"), required=False)
    text = forms.CharField(
        label=_("In a few words"),
        max_length=conf.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. bikes charging in the stairwell")}),
    )
    area = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)
    address = forms.CharField(label=_("Place"), max_length=200, required=False)
    risk_level = forms.ChoiceField(
        label=_("How dangerous does it look"), choices=RiskLevel.choices, initial=RiskLevel.GENERAL
    )
    source = forms.ChoiceField(label=_("Found by"), choices=Source.choices, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), areas=None, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.code, c.label) for c in categories]
        self.fields["area"].queryset = areas
        if not staff:  # residents and riders are who they are; staff say whether it was an inspection
            del self.fields["source"]


class AssessForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    owner = forms.ModelChoiceField(label=_("Rectification owner"), queryset=None)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ReinspectForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Passed: rectified")), ("0", _("Failed: back to rectification"))],
        widget=forms.RadioSelect,
    )
    photos = PhotosField(label=_("Photos taken at the re-inspection"), required=False)
    note = forms.CharField(
        label=_("Findings"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("open", _("Open")),
            ("queue", _("Waiting for assessment")),
            ("reinspect", _("Waiting for re-inspection")),
            ("closed", _("Rectified")),
            ("", _("All")),
        ],
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=[("", _("Any")), *RiskLevel.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class FiguresForm(forms.Form):
    by = forms.ChoiceField(
        label=pgettext_lazy("figures grouping", "By"),
        required=False,
        choices=[
            ("risk_level", _("risk level")),
            ("area", _("community")),
            ("month", _("month")),
            ("category", _("kind of danger")),
        ],
    )
