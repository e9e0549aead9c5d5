"""Account and team forms: sign-up (Django's validators), new password, team name,
invitation, role, token."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm, UserCreationForm
from django.contrib.auth.models import User

from webapp.accounts.models import Role

EMAIL_TAKEN = (
    "Another account already uses this e-mail address. If it is yours, use “Forgot your "
    "password?” on the sign-in page."
)
PASSWORDS_DIFFER = "The two passwords differ. Type the same new password twice."


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["username", "email"]
        labels = {"email": "E-mail address (optional)"}
        help_texts = {
            "username": "Letters, digits and @ . + - _ only.",
            "email": "Only used to send you a link if you forget your password.",
        }

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class NewPasswordForm(SetPasswordForm):
    """Django's new-password form (its validators) in plain words: the reset link's page and
    an admin setting a member's password."""

    error_messages = {"password_mismatch": PASSWORDS_DIFFER}

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password2"].label = "The new password again"
        for field in self.fields.values():
            field.help_text = ""  # the pages say it in one line of their own


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
