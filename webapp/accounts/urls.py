"""URLs of the accounts app: the dashboard at "/", sign-up, log in and out, passwords, teams
and tokens."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from webapp.accounts import views, views_passwords, views_teams, views_tokens

RESET_HOURS = {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600}  # said in the e-mail and page

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            extra_email_context=RESET_HOURS,
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(extra_context=RESET_HOURS),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views_passwords.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("teams/", views_teams.team_list, name="team_list"),
    path("teams/switch/", views_teams.team_switch, name="team_switch"),
    path("teams/<uuid:uuid>/", views_teams.team_detail, name="team_detail"),
    path("teams/<uuid:uuid>/rename/", views_teams.team_rename, name="team_rename"),
    path("teams/<uuid:uuid>/invite/", views_teams.team_invite, name="team_invite"),
    path("teams/<uuid:uuid>/members/role/", views_teams.member_role, name="member_role"),
    path("teams/<uuid:uuid>/members/remove/", views_teams.member_remove, name="member_remove"),
    path(
        "teams/<uuid:uuid>/members/password/",
        views_passwords.member_password,
        name="member_password",
    ),
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
