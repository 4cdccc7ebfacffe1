from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)


class UserCreateForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters, using at least 3 of: lower-case letters, upper-case letters, digits, symbols."
        ),
    )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, required=False)
    data_scope = forms.ChoiceField(label=_("Data scope"), required=False)

    def __init__(self, *args, areas, organisations, **kwargs):
        from .roles import DataScope, Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["data_scope"].choices = [("", _("The role's default")), *DataScope.choices]
        self.fields["data_scope"].choices = [
            c for c in self.fields["data_scope"].choices if c[0] != DataScope.AREAS
        ]
        self.fields["area"].queryset = areas
        self.fields["organisation"].queryset = organisations
