"""Teams own everything; users reach objects through a membership.

Each new user gets a personal team on sign-up (`Team.create_personal`). Roles and
invitations come later; the role field is already here so that lookups can use it.
"""

import uuid

from django.conf import settings
from django.db import models


class Team(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    personal = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    def __str__(self):
        return self.name

    @classmethod
    def create_personal(cls, user) -> "Team":
        team = cls.objects.create(name=f"{user.username}'s team", personal=True)
        Membership.objects.create(team=team, user=user, role=Membership.Role.OWNER)
        return team


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership")]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"
