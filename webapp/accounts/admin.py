"""Staff admin for teams and their members."""

from django.contrib import admin

from webapp.accounts.models import Membership, Team


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
