"""Forms of the ticket pages: one per action, each rendering its errors beside its fields."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.directory.models import Organisation

from .models import FollowUp, RoutingRule, State
from .policies import kind_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service (type, size, EXIF)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [f for f in files if f]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CommentForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    internal = forms.BooleanField(label=_("Internal (not shown to the resident)"), required=False)
    photos = PhotosField(label=_("Photos"), required=False)


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    photos = PhotosField(label=_("Photos of the work"), required=False)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[
            (5, format_lazy("★★★★★ {}", _("Very satisfied"))),
            (4, format_lazy("★★★★ {}", _("Satisfied"))),
            (3, format_lazy("★★★ {}", _("So-so"))),
            (2, format_lazy("★★ {}", _("Unsatisfied"))),
            (1, format_lazy("★ {}", _("Very unsatisfied"))),
        ],
        widget=forms.RadioSelect(attrs={"class": "stars"}),
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )


class DispatchForm(forms.Form):
    """Choose among the ranked suggestions, or name an organisation directly."""

    parties = forms.MultipleChoiceField(
        label=_("Suggested"), required=False, widget=forms.CheckboxSelectMultiple
    )
    organisation = forms.ModelChoiceField(
        label=_("Or an organisation"), queryset=Organisation.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note to the provider"), max_length=2000, required=False)

    def __init__(self, *args, suggestions=(), organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [(s.party.key, s.party.label) for s in suggestions if s.eligible]
        if organisations is not None:
            self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        if not data.get("parties") and not data.get("organisation"):
            raise forms.ValidationError(_("Choose who should take it."))
        return data


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(
        label=_("New deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ExtensionAnswerForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda v: v == "yes",
        choices=[("yes", pgettext_lazy("more time", "Grant")), ("no", pgettext_lazy("more time", "Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the call go?"), choices=FollowUp.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What the resident said"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    reopen = forms.BooleanField(label=_("Reopen the ticket"), required=False)


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("queue", _("Waiting for dispatch")), *State.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *kind_choices()]


class RoutingRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    strategy = forms.ChoiceField(label=_("How"), choices=RoutingRule.Strategy.choices)
    party_org = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, areas=None, organisations=None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["category"].choices = [("", _("Every category")), *categories]
        self.fields["area"].queryset = areas
        if organisations is not None:
            self.fields["party_org"].queryset = organisations
