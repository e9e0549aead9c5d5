"""URLs of the accounts app: the dashboard at "/", sign-up, log in and out, teams and tokens."""

from django.contrib.auth import views as auth_views
from django.urls import path

from webapp.accounts import views, views_teams, views_tokens

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("teams/", views_teams.team_list, name="team_list"),
    path("teams/switch/", views_teams.team_switch, name="team_switch"),
    path("teams/<uuid:uuid>/", views_teams.team_detail, name="team_detail"),
    path("teams/<uuid:uuid>/rename/", views_teams.team_rename, name="team_rename"),
    path("teams/<uuid:uuid>/invite/", views_teams.team_invite, name="team_invite"),
    path("teams/<uuid:uuid>/members/role/", views_teams.member_role, name="member_role"),
    path("teams/<uuid:uuid>/members/remove/", views_teams.member_remove, name="member_remove"),
    path("teams/<uuid:uuid>/leave/", views_teams.team_leave, name="team_leave"),
    path("teams/<uuid:uuid>/activity/", views_teams.team_activity, name="team_activity"),
    path("teams/<uuid:uuid>/tokens/", views_tokens.token_list, name="token_list"),
    path("tokens/<uuid:uuid>/revoke/", views_tokens.token_revoke, name="token_revoke"),
    path(
        "invitations/<uuid:uuid>/revoke/",
        views_teams.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invite/<str:secret>/", views_teams.invitation_accept, name="invitation_accept"),
]
