"""Sign-up form: a username and a password typed twice, checked by Django's validators."""

from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["username"]
        help_texts = {"username": "Letters, digits and @ . + - _ only."}
