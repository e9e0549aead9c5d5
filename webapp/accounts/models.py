"""Teams own everything; users reach objects through a membership with a role.

    team = Team.create_personal(user)                 # on sign-up
    team = Team.create_for(user, "Support")           # the creator is its admin
    invitation, link_token = Invitation.create(team, inviter, "ann@example.org", Role.VIEWER)
    membership = invitation.accept(user)              # once, before it expires or is revoked
    membership.set_password(admin, "new secret")      # after membership.password_problem(admin)
    token, secret = ApiToken.create(team, user, "CRM")  # the secret is shown once
    Activity.record(team, user, 'published the model "Sentiment"')

Roles rank viewer < trainer < admin (see ROLE_RANK). Invitation links and API tokens are
stored as SHA-256 hashes: the database alone cannot be used to accept or call anything.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

INVITATION_DAYS = 7  # an invitation link stops working after this many days
TOKEN_PREFIX = "lt_"  # makes a leaked token easy to recognise in logs and code
LAST_USED_EVERY = timedelta(minutes=1)  # how fresh a token's "last used" time is kept


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    TRAINER = "trainer", "Trainer"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.TRAINER: 1, Role.ADMIN: 2}
ROLE_WORDS = {
    Role.VIEWER: "Sees the team's models and how well they did, tries them, scores "
    "spreadsheets with them and downloads them.",
    Role.TRAINER: "Everything a viewer does, and also uploads spreadsheets, starts, cancels, "
    "retries and deletes training runs, publishes and improves models, and picks which "
    "version of a model answers.",
    Role.ADMIN: "Everything a trainer does, and also invites and removes people, changes "
    "roles, renames the team and manages its API tokens.",
}


def role_at_least(role: str, need: str) -> bool:
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[need]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


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
        Membership.objects.create(team=team, user=user, role=Role.ADMIN)
        return team

    @classmethod
    def create_for(cls, user, name: str) -> "Team":
        with transaction.atomic():
            team = cls.objects.create(name=name)
            Membership.objects.create(team=team, user=user, role=Role.ADMIN)
            Activity.record(team, user, f'created the team "{name}"')
        return team

    def role_of(self, user) -> str | None:
        if not user.is_authenticated:
            return None
        return self.memberships.filter(user=user).values_list("role", flat=True).first()

    def admin_count(self) -> int:
        return self.memberships.filter(role=Role.ADMIN).count()


class Membership(models.Model):
    Role = Role

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.TRAINER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership")]
        ordering = ["created"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def is_last_admin(self) -> bool:
        return self.role == Role.ADMIN and self.team.admin_count() <= 1

    def password_problem(self, admin) -> str:
        """Why `admin` (an admin of this team) may not set this member's password, as a
        sentence; "" when they may. A new password opens every team the member is in, so
        each of those must be run by `admin` too (the member's own personal team aside)."""
        name = self.user.username
        if self.user == admin:
            return "Change your own password with “Forgot your password?” on the sign-in page."
        if self.user.is_staff or self.user.is_superuser:
            return f"{name} runs this site: only {name} can change that password."
        run_by_admin = Membership.objects.filter(user=admin, role=Role.ADMIN).values("team")
        elsewhere = (
            Membership.objects.filter(user=self.user)
            .exclude(team__personal=True, role=Role.ADMIN)
            .exclude(team__in=run_by_admin)
        )
        if elsewhere.exists():
            return (
                f"{name} is also in teams you are not an admin of, so only {name} can change "
                "that password: ask them to use “Forgot your password?” on the sign-in page."
            )
        return ""

    def set_password(self, admin, password: str) -> None:
        """Give the member a new password; their sessions end (Django checks the password's
        hash on every request), and the team's activity says who did it."""
        self.user.set_password(password)
        self.user.save(update_fields=["password"])
        Activity.record(self.team, admin, f"set a new password for {self.user.username}")


class Invitation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.email} to {self.team}"

    @classmethod
    def create(cls, team: Team, inviter, email: str, role: str) -> tuple["Invitation", str]:
        """The new invitation and the secret for its link (kept nowhere else)."""
        secret = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            team=team,
            email=email,
            role=role,
            token_hash=digest(secret),
            invited_by=inviter,
            expires=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        Activity.record(team, inviter, f"invited {email} as {role}")
        return invitation, secret

    @classmethod
    def find(cls, secret: str) -> "Invitation | None":
        return cls.objects.select_related("team").filter(token_hash=digest(secret)).first()

    @property
    def problem(self) -> str:
        """Why this link cannot be used any more, as a sentence; "" when it can."""
        if self.accepted:
            return "This invitation has already been used. Ask the team's admin for a new one."
        if self.revoked:
            return "This invitation was withdrawn. Ask the team's admin for a new one."
        if self.expires <= timezone.now():
            return "This invitation has expired. Ask the team's admin for a new one."
        return ""

    @property
    def is_pending(self) -> bool:
        return not self.problem

    def accept(self, user) -> Membership | None:
        """Join the team; None when the link was used, revoked or expired meanwhile."""
        with transaction.atomic():
            fresh = Invitation.objects.select_for_update().get(pk=self.pk)
            if fresh.problem:
                return None
            membership, created = Membership.objects.get_or_create(
                team=self.team, user=user, defaults={"role": self.role}
            )
            fresh.accepted, fresh.accepted_by = timezone.now(), user
            fresh.save(update_fields=["accepted", "accepted_by"])
            if created:
                Activity.record(self.team, user, f"joined the team as {self.role}")
        return membership

    def revoke(self, user) -> None:
        self.revoked = timezone.now()
        self.save(update_fields=["revoked"])
        Activity.record(self.team, user, f"withdrew the invitation for {self.email}")


class ApiToken(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # the first characters, to tell tokens apart
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def create(cls, team: Team, user, name: str) -> tuple["ApiToken", str]:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            team=team, created_by=user, name=name, prefix=secret[:8], token_hash=digest(secret)
        )
        Activity.record(team, user, f'created the API token "{name}"')
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> "ApiToken | None":
        """The live token for this secret, its last use noted; None for unknown or revoked."""
        token = (
            cls.objects.select_related("team")
            .filter(token_hash=digest(secret), revoked__isnull=True)
            .first()
        )
        now = timezone.now()
        if token is not None and (
            token.last_used is None or now - token.last_used > LAST_USED_EVERY
        ):
            token.last_used = now  # a write per minute at most, not per request
            token.save(update_fields=["last_used"])
        return token

    def revoke(self, user) -> None:
        self.revoked = timezone.now()
        self.save(update_fields=["revoked"])
        Activity.record(self.team, user, f'revoked the API token "{self.name}"')


class Activity(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="activities")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(max_length=300)  # "published the model "Sentiment"", after the name
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "activities"

    def __str__(self):
        return f"{self.user} {self.what}"

    @classmethod
    def record(cls, team: Team, user, what: str) -> "Activity":
        user = user if user is not None and user.is_authenticated else None
        return cls.objects.create(team=team, user=user, what=what[:300])
