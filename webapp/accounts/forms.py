"""Account and team forms: sign-up (Django's validators), team name, invitation, role, token."""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from webapp.accounts.models import Role


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["username"]
        help_texts = {"username": "Letters, digits and @ . + - _ only."}


class TeamNameForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the team a name.")
        return name


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    member = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="Where it is used, e.g. “CRM import”."
    )
