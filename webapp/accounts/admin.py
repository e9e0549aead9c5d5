"""Staff admin for teams, members, invitations, API tokens and activity."""

from django.contrib import admin

from webapp.accounts.models import Activity, ApiToken, Invitation, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "personal", "created"]
    list_filter = ["personal"]
    search_fields = ["name", "memberships__user__username"]
    readonly_fields = ["uuid", "created"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "created", "expires", "accepted", "revoked"]
    readonly_fields = ["uuid", "token_hash", "created"]
    raw_id_fields = ["invited_by", "accepted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "prefix", "created", "last_used", "revoked"]
    readonly_fields = ["uuid", "prefix", "token_hash", "created", "last_used"]
    raw_id_fields = ["created_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created", "team", "user", "what"]
    list_filter = ["team"]
