from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area

from .models import DocumentKind, InsuranceKind, Platform, RevokeReason, RiderStatus


class RiderForm(forms.Form):
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=Platform.objects.filter(active=True))
    station = forms.CharField(label=_("Station or team"), max_length=100)
    plate = forms.CharField(label=_("E-bike plate"), max_length=20, required=False)
    area = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Area.objects.none(),
        help_text=_("The community where you live or are based; it verifies you."),
    )
    photo = forms.FileField(
        label=_("Photo of your face"),
        required=False,
        help_text=_("The guard compares it with you at the gate. Location data in the photo is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, areas=None, with_area: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_area:
            self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
        else:
            del self.fields["area"]


class RiderStatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=RiderStatus.choices)
    note = forms.CharField(label=_("Note to the rider"), max_length=200, required=False)


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(v, label) for v, label in RevokeReason.choices if v != RevokeReason.KEY_COMPROMISED],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class InsuranceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InsuranceKind.choices)
    insurer = forms.CharField(label=_("Insurer"), max_length=100)
    number = forms.CharField(label=_("Policy number"), max_length=60)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"))


class CommunityForm(forms.Form):
    honours_pass = forms.BooleanField(label=_("Honours the rider pass"), required=False)
    rest_stop = forms.BooleanField(label=_("Rest stop"), required=False)
    charging = forms.BooleanField(label=_("E-bike charging"), required=False)
    water = forms.BooleanField(label=_("Drinking water"), required=False)
    toilet = forms.BooleanField(label=_("Toilet"), required=False)
    notes = forms.CharField(label=_("Notes for riders"), max_length=200, required=False)


class GateForm(forms.Form):
    name = forms.CharField(label=_("Gate name"), max_length=60)


class GuardForm(forms.Form):
    guard_mobile = forms.CharField(
        label=_("Guard's mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class CheckForm(forms.Form):
    token = forms.CharField(
        label=_("Pass code or link"),
        max_length=2048,
        help_text=_("When the camera cannot open the link, paste or type what the QR code says."),
    )


class KeyRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why is the key revoked?"), max_length=200)


class RiderFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or plate"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *RiderStatus.choices], required=False
    )
    platform = forms.ChoiceField(label=_("Platform"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", _("All")), *Platform.objects.values_list("code", "name")]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 366

    def period(self):
        """(start, end) dates: the last 30 days unless chosen; at most a year."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        return start, end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("start", _("Choose at most a year."))
        return data
