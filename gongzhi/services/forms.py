"""Forms of the service pages: the resident's order, the three lists, Excel import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.people.models import Tag
from gongzhi.tickets.forms import PhotosField

from .categories import category_choices
from .models import NeedSource, NeedStatus, Resource, ResourceKind, ServiceOffering, Subject, Urgency


class OrderForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Your community"), queryset=None, empty_label=None)
    offering = forms.ModelChoiceField(
        queryset=ServiceOffering.objects.none(), required=False, widget=forms.HiddenInput
    )
    category = forms.ChoiceField(
        label=_("What kind of help"),
        choices=category_choices(),
        widget=forms.RadioSelect(attrs={"class": "tiles"}),
        required=False,
    )
    title = forms.CharField(
        label=_("In a few words"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. fix a leaking tap")}),
    )
    description = forms.CharField(
        label=_("More details (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    preferred_time = forms.CharField(
        label=_("When suits you"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekday mornings")}),
    )
    people = forms.IntegerField(label=_("For how many people"), min_value=1, max_value=50, initial=1)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    urgent = forms.BooleanField(label=_("It is urgent"), required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("Photos (optional)"), required=False)

    def __init__(self, *args, areas=None, offerings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        if areas is not None and len(areas) == 1:
            self.fields["area"].widget = forms.HiddenInput()
        if offerings is not None:
            self.fields["offering"].queryset = offerings

    def clean(self):
        data = super().clean()
        if not data.get("offering"):
            if not data.get("category"):
                self.add_error("category", _("Choose what kind of help you need."))
            if not data.get("title"):
                self.add_error("title", _("Say in a few words what is needed."))
        return data


class NeedForm(forms.Form):
    title = forms.CharField(
        label=_("Need"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekly home visit")}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=category_choices())
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    subject = forms.ChoiceField(
        label=_("Who needs it"), choices=Subject.choices, widget=forms.RadioSelect, initial=Subject.PERSON
    )
    id_number = forms.CharField(
        label=_("The person's ID number"),
        max_length=18,
        required=False,
        help_text=_("For a need of one registered person."),
    )
    group_tag = forms.ChoiceField(
        label=_("Group"),
        choices=[("", "—"), *Tag.choices],
        required=False,
        help_text=_("For a need of a group."),
    )
    beneficiaries = forms.IntegerField(label=_("People concerned"), min_value=1, max_value=100_000, initial=1)
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    source = forms.ChoiceField(label=_("Source"), choices=NeedSource.choices, initial=NeedSource.VISIT)
    status = forms.ChoiceField(label=_("Status"), choices=NeedStatus.choices, initial=NeedStatus.OPEN)
    frequency = forms.CharField(
        label=_("How often"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. once a week")}),
    )
    description = forms.CharField(
        label=_("Details"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, areas=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        if editing:
            del self.fields["area"]


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        help_text=_("For an organisation or merchant."),
    )
    volunteer_mobile = forms.CharField(
        label=_("Volunteer's mobile"),
        max_length=20,
        required=False,
        help_text=_("For a volunteer: the number of their account."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=category_choices(), required=False, widget=forms.CheckboxSelectMultiple
    )
    skills = forms.CharField(
        label=_("Skills"), max_length=300, required=False, help_text=_("Separated by 、 or commas.")
    )
    area = forms.ModelChoiceField(label=_("Service area"), queryset=None)
    capacity = forms.IntegerField(label=_("Orders at once"), min_value=1, max_value=10_000, initial=3)
    availability = forms.CharField(
        label=_("Availability"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekdays 9:00–17:00")}),
    )
    is_available = forms.BooleanField(label=_("Taking orders"), required=False, initial=True)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lng = forms.FloatField(label=_("Longitude"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the number on file."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, areas=None, organisations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["organisation"].queryset = organisations
        if editing:
            del self.fields["area"]


class OfferingForm(forms.Form):
    title = forms.CharField(label=_("Service"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=category_choices())
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Resource.objects.none())
    area = forms.ModelChoiceField(label=_("Area served"), queryset=None)
    capacity = forms.IntegerField(label=_("Orders at once"), min_value=1, max_value=10_000, initial=5)
    is_free = forms.BooleanField(label=_("Free of charge"), required=False, initial=True)
    price = forms.CharField(
        label=_("Price"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 20 yuan each time")}),
    )
    schedule = forms.CharField(
        label=pgettext_lazy("service schedule", "When"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. every Tuesday afternoon")}),
    )
    description = forms.CharField(
        label=_("Details"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Listed"), required=False, initial=True)

    def __init__(self, *args, areas=None, providers=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["provider"].queryset = providers
        if editing:
            del self.fields["area"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *category_choices()], required=False
    )
