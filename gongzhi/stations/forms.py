from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import CoordinateSystem, Facility, PlanModel, StationStatus

MINUTES = (5, 10, 15, 20, 30)


def minute_choices() -> list[tuple[int, str]]:
    return [(m, _("%(m)d minutes") % {"m": m}) for m in MINUTES]


class MinutesField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("initial", 15)
        super().__init__(choices=minute_choices, **kwargs)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.code}）"


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class FunctionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label


class StationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    area = AreaChoiceField(label=_("Community / town"), queryset=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(
        label=_("Latitude"),
        help_text=_("Click the map, or type it: 30.41 for Jianyang."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lat": ""}),
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lng": ""}),
    )
    source_crs = forms.ChoiceField(
        label=_("Coordinates are"),
        choices=CoordinateSystem.choices,
        initial=CoordinateSystem.WGS84,
        help_text=_(
            "A point picked on 高德 or 腾讯 maps is GCJ-02; GPS, 天地图 and OpenStreetMap give WGS-84."
        ),
        widget=forms.Select(attrs={"data-map-crs": ""}),
    )
    functions = FunctionChoices(
        label=_("Functions"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Run by"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    facilities = forms.MultipleChoiceField(
        label=_("Facilities"), choices=Facility.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(
        label=_("Capacity (people at once)"), min_value=0, max_value=100000, required=False
    )
    phone = forms.CharField(label=_("Service telephone"), max_length=30, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, areas, functions, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["functions"].queryset = functions
        self.fields["organisations"].queryset = organisations


class HoursForm(forms.Form):
    """Seven text fields, Monday first: "09:00-12:00, 14:00-18:00", "18:00-02:00", "24h", or empty."""

    def __init__(self, *args, day_names, **kwargs):
        super().__init__(*args, **kwargs)
        for d, name in enumerate(day_names):
            self.fields[f"day_{d}"] = forms.CharField(
                label=name,
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": "09:00-12:00, 14:00-18:00"}),
            )
        self.fields["day_0"].help_text = _(
            "Several openings separated by commas; 18:00-02:00 runs past midnight; 24h for all day; empty for closed."
        )


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.CharField(
        label=_("Hours that day"),
        required=False,
        max_length=100,
        help_text=_("Empty: closed all day."),
        widget=forms.TextInput(attrs={"placeholder": "10:00-16:00"}),
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"), help_text=_("JPEG, PNG or WebP, at most 10 MB; location data is removed.")
    )
    caption = forms.CharField(label=_("Caption"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why it closes"), max_length=200)


class StationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.area.name}）"


class StationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.area.name}）"


class MergeForm(forms.Form):
    into = StationChoice(label=_("Merge into"), queryset=None)
    sources = StationChoices(
        label=_("Stations to merge"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 10})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = stations
        self.fields["sources"].queryset = stations


class FunctionForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Lowercase letters, digits and _, e.g. legal_desk.")
    )
    name = forms.CharField(label=_("Name"), max_length=40)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    order = forms.IntegerField(
        label=pgettext_lazy("sort order", "Position"), min_value=0, max_value=32767, initial=100
    )
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class StationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or address"), max_length=50, required=False)
    function = forms.ChoiceField(label=_("Function"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *StationStatus.choices]
    )

    def __init__(self, *args, functions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = [("", _("Any function")), *((f.code, f.label) for f in functions)]


class FinderForm(forms.Form):
    community = CommunityChoiceField(
        label=_("I am in"), queryset=None, required=False, empty_label=_("Choose a community")
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    minutes = MinutesField(label=_("Walk"), required=False)
    function = forms.ChoiceField(label=_("Offering"), required=False)
    facility = forms.ChoiceField(
        label=_("With"), required=False, choices=[("", _("Any facility")), *Facility.choices]
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)

    def __init__(self, *args, communities, functions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["function"].choices = [("", _("Any function")), *((f.code, f.label) for f in functions)]

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not has_point and not data.get("community"):
            raise forms.ValidationError(_("Choose your community, or let the phone tell where you are."))
        return data


class CoverageForm(forms.Form):
    area = AreaChoiceField(label=_("Area"), queryset=None)
    grid = forms.ModelChoiceField(
        label=_("Population"),
        queryset=None,
        required=False,
        empty_label=_("Registered residents by community"),
    )
    minutes = MinutesField(label=_("Walk"))

    def __init__(self, *args, areas, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["grid"].queryset = grids


class GridForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area = AreaChoiceField(label=_("Area"), queryset=None)
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns id,lat,lng,weight (WGS-84); UTF-8 or Excel's CSV.")
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    model = forms.ChoiceField(
        label=_("Question"), choices=PlanModel.choices, widget=forms.RadioSelect, initial=PlanModel.MCLP
    )
    p = forms.IntegerField(
        label=_("Number of stations (p)"),
        min_value=1,
        required=False,
        help_text=_("For “cover the most” and “shortest walk”; leave empty for “fewest stations”."),
    )
    minutes = MinutesField(label=_("Walk"))
    grid = forms.ModelChoiceField(
        label=_("Population"),
        queryset=None,
        required=False,
        empty_label=_("Registered residents by community"),
    )
    include_existing = forms.BooleanField(
        label=_("Existing active stations are candidates"), required=False, initial=True
    )
    candidate_file = forms.FileField(
        label=_("New candidate sites (CSV)"),
        required=False,
        help_text=_(
            "Columns id,lat,lng and optionally functions (names separated by |) and status (keep/close)."
        ),
    )
    must_keep = StationChoices(
        label=_("Stations to keep"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    must_close = StationChoices(
        label=_("Stations to close"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=1,
        required=False,
        help_text=_("Empty: solve until the optimum is proven."),
    )
    gap_percent = forms.FloatField(
        label=_("Stop within (percent of the optimum)"),
        min_value=0,
        max_value=50,
        initial=0,
        help_text=_("0 proves the optimum; 1 stops once the plan is within one percent of it."),
    )

    def __init__(self, *args, stations, grids, functions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["must_keep"].queryset = stations
        self.fields["must_close"].queryset = stations
        self.fields["grid"].queryset = grids
        self.fields["candidate_file"].widget.attrs["accept"] = ".csv,text/csv"
        self.function_fields = []
        for f in functions:
            min_name, cover_name = f"req_min_{f.code}", f"req_cover_{f.code}"
            self.fields[min_name] = forms.IntegerField(
                label=_("At least … stations offer %(f)s") % {"f": f.label}, min_value=0, required=False
            )
            self.fields[cover_name] = forms.BooleanField(
                label=_("Everyone a %(f)s can reach keeps one in reach") % {"f": f.label}, required=False
            )
            self.function_fields.append((f, min_name, cover_name))

    def requirement_field_names(self) -> set[str]:
        return {n for _f, a, b in self.function_fields for n in (a, b)}

    def requirements(self):
        from .services import Requirement

        out = []
        for f, min_name, cover_name in self.function_fields:
            n = self.cleaned_data.get(min_name) or 0
            cover = bool(self.cleaned_data.get(cover_name))
            if n or cover:
                out.append(Requirement(f.name, min_sites=n, cover_all=cover))
        return out
