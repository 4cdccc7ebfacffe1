from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.tickets.forms import PhotosField

from .models import REASON_MAX, TEXT_MAX


class SubmitForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), widget=forms.RadioSelect(attrs={"class": "tiles"}))
    text = forms.CharField(
        label=_("Your suggestion"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("e.g. a bench at the bus stop for older people")}
        ),
    )
    photos = PhotosField(label=_("Photo (optional)"), required=False)
    area = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=None)

    def __init__(self, *args, topics=(), areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [(c.code, c.label) for c in topics]
        self.fields["area"].queryset = areas


class DecideForm(forms.Form):
    adopted = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Adopted")), ("0", _("Not adopted"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (the resident reads it; adopted ones are published)"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("open", _("Not answered yet")),
            ("adopted", _("Adopted")),
            ("not_adopted", _("Not adopted")),
            ("all", _("All")),
        ],
    )


class FiguresForm(forms.Form):
    by = forms.ChoiceField(
        label=pgettext_lazy("figures grouping", "By"),
        required=False,
        choices=[("topic", _("topic")), ("area", _("community")), ("month", _("month"))],
    )
