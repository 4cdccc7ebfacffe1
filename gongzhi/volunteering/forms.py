"""Forms of the volunteering pages: thin, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.areas.models import Area
from gongzhi.tickets.forms import PhotosField

from .models import Category, PairType, Rating, RecordKind, TargetGroup, Team, VisitKind
from .policy import CONCERN_CATEGORIES


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    area = forms.ModelChoiceField(label=_("Community / village"), queryset=Area.objects.none())
    team = forms.ModelChoiceField(label=_("Organising team"), queryset=Team.objects.none(), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    check_distance_m = forms.IntegerField(
        label=_("Check-in radius (m)"),
        required=False,
        min_value=20,
        max_value=5000,
        help_text=_("Leave empty for no distance check."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    volunteer_capacity = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=1000)
    participant_capacity = forms.IntegerField(
        label=_("Participants at most"), min_value=0, max_value=100000, initial=0
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, areas=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class CheckinForm(forms.Form):
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)


class ApproveForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        help_text=_("Leave empty to approve the hours computed from check-in and check-out."),
    )


class ServedForm(forms.Form):
    served = forms.IntegerField(label=_("Person-times served"), min_value=0, max_value=1_000_000)


class CertificateForm(forms.Form):
    organisation = forms.CharField(label=_("Issuing organisation"), max_length=100)
    responsible = forms.CharField(label=_("Person responsible"), max_length=50)
    handler = forms.CharField(label=_("Handler"), max_length=50)
    contact = forms.CharField(label=_("Contact"), max_length=50)


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)


class VisitForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=pgettext_lazy("visit mode", "Kind"), choices=VisitKind.choices)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    concerns = forms.CharField(
        label=_("Concerns"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Anything the community should act on."),
    )
    open_ticket = forms.BooleanField(
        label=_("Ask the community to act on this concern (opens a case)"), required=False
    )
    concern_category = forms.ChoiceField(
        label=_("The concern is about"),
        choices=[(c.code, c.label) for c in CONCERN_CATEGORIES],
        initial="other",
        required=False,
    )
    photos = PhotosField(label=_("Photos"), required=False)


class SuggestForm(forms.Form):
    pair_type = forms.ModelChoiceField(label=_("Pair type"), queryset=PairType.objects.order_by("code"))
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()


class PairForm(forms.Form):
    pair_type = forms.IntegerField(widget=forms.HiddenInput)
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    person = forms.IntegerField(widget=forms.HiddenInput)


class VolunteerForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile of the user account"), max_length=20)
    id_number = forms.CharField(
        label=_("ID card number"),
        max_length=30,
        required=False,
        help_text=_("Kept encrypted; certificates show the volunteer number instead."),
    )
    area = forms.ModelChoiceField(label=_("Community / village"), queryset=Area.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    availability = forms.CharField(label=_("Availability"), max_length=200, required=False)
    pair_capacity = forms.IntegerField(label=_("Pairs at most"), min_value=0, max_value=10, initial=2)

    def __init__(self, *args, areas=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class SelfRegisterForm(forms.Form):
    """A resident registers as a volunteer from the phone."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID card number"),
        max_length=30,
        help_text=_("Kept encrypted; certificates show your volunteer number instead."),
    )
    mobile = forms.CharField(
        label=_("Contact mobile"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to be reached on the mobile you sign in with."),
    )
    area = forms.ModelChoiceField(label=_("Community / village"), queryset=Area.objects.none())
    skills = forms.CharField(label=_("Skills"), max_length=200, required=False)
    availability = forms.CharField(
        label=_("Availability"),
        max_length=200,
        required=False,
        help_text=_("e.g. weekends, weekday evenings"),
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()


class VolunteerCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Volunteer code"),
        max_length=300,
        widget=forms.TextInput(attrs={"data-scan-target": "", "autocomplete": "off"}),
        help_text=_("Scan the code on the volunteer's phone, or type it."),
    )


class BoardFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Where"),
        choices=[
            ("city", _("Whole city, nearest first")),
            ("town", _("My town")),
            ("community", _("My community")),
        ],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All"))] + Category.choices, required=False
    )
    target = forms.ChoiceField(
        label=_("For whom"), choices=[("", _("All"))] + TargetGroup.choices, required=False
    )


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.CharField(label=_("Given by"), max_length=100)
    hours = forms.DecimalField(
        label=_("Training hours"), required=False, max_digits=5, decimal_places=1, min_value=0
    )
    rating = forms.ChoiceField(
        label=pgettext_lazy("evaluation grade", "Rating"),
        choices=[("", "—")] + Rating.choices,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class FiguresForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Group by"),
        choices=[("town", _("Town / street")), ("village", _("Community / village"))],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    format = forms.CharField(required=False, widget=forms.HiddenInput)
