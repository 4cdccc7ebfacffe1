from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.areas.models import Area, Level

from .models import GuardianConsent, Tag


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    area = forms.ModelChoiceField(label=_("Community / village"), queryset=Area.objects.none())
    id_number = forms.CharField(label=_("ID card number"), max_length=30, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    guardian_name = forms.CharField(
        label=_("Guardian's name"),
        max_length=50,
        required=False,
        help_text=_("Required for a child under 14."),
    )
    relationship = forms.ChoiceField(
        label=_("Guardian's relationship"),
        choices=[("", "—"), *GuardianConsent.Relationship.choices],
        required=False,
    )
    guardian_mobile = forms.CharField(label=_("Guardian's mobile"), max_length=20, required=False)
    purpose = forms.CharField(label=_("Purpose of the child's record"), max_length=200, required=False)
    method = forms.CharField(label=_("How consent was given"), max_length=100, required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            areas if areas is not None else Area.objects.filter(level=Level.VILLAGE)
        )

    def consent_given(self) -> bool:
        return any(
            self.cleaned_data.get(f) for f in ("guardian_name", "guardian_mobile", "purpose", "method")
        )


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("ID card number")), ("mobile", _("Mobile number"))])
    reason = forms.CharField(label=pgettext_lazy("reason for viewing", "Reason"), max_length=200)


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, ID or mobile"), max_length=50, required=False)
    tag = forms.ChoiceField(label=_("Tag"), choices=[("", _("All tags")), *Tag.choices], required=False)


class PersonEditForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Leave empty to keep the number on record; enter a new one to replace it."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=Tag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ConsentForm(forms.Form):
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=50)
    relationship = forms.ChoiceField(
        label=_("Guardian's relationship"), choices=GuardianConsent.Relationship.choices
    )
    guardian_mobile = forms.CharField(label=_("Guardian's mobile"), max_length=20)
    purpose = forms.CharField(label=_("Purpose of the child's record"), max_length=200)
    method = forms.CharField(label=_("How consent was given"), max_length=100)
