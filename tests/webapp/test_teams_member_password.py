"""A team admin sets a member's new password from the team page: the member's sessions end,
the activity says so; never for other teams' people, by non-admins, for oneself, for staff,
or for someone who is also in a team the admin does not run."""

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Activity, Membership, Role, Team

NEW_PASSWORD = "a brand new passphrase"


class MemberPasswordTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dave = add_member(self.alice_team, "dave", Role.VIEWER)
        self.client.force_login(self.alice)

    def set(
        self, member: str = "dave", client: Client | None = None, team: Team | None = None, **data
    ):
        url = reverse("member_password", args=[(team or self.alice_team).uuid])
        data = {
            "member": member,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        } | data
        return (client or self.client).post(url, data, follow=True)

    def password_of(self, username: str) -> str:
        return User.objects.get(username=username).password

    def test_it_shows_the_form_to_admins_only(self):
        page = reverse("team_detail", args=[self.alice_team.uuid])
        self.assertContains(self.client.get(page), "New password for dave")
        self.assertNotContains(self.client.get(page), "New password for alice")
        self.client.force_login(self.dave)
        self.assertNotContains(self.client.get(page), "Set a new password")

    def test_it_sets_the_password_and_ends_the_members_sessions(self):
        dave_client = Client()
        dave_client.force_login(self.dave)
        self.assertEqual(dave_client.get(reverse("home")).status_code, 200)

        response = self.set()
        self.assertContains(response, "dave has a new password and was signed out everywhere.")
        self.assertTrue(User.objects.get(username="dave").check_password(NEW_PASSWORD))
        self.assertRedirects(dave_client.get(reverse("home")), "/login/?next=/")
        what = Activity.objects.filter(team=self.alice_team).values_list("what", flat=True)
        self.assertIn("set a new password for dave", list(what))

    def test_it_refuses_a_weak_or_mistyped_password_in_plain_words(self):
        before = self.password_of("dave")
        self.assertContains(self.set(new_password2="something else"), "The two passwords differ.")
        self.assertContains(self.set(new_password1="qz7", new_password2="qz7"), "too short")
        self.assertEqual(self.password_of("dave"), before)

    def test_it_refuses_non_admins(self):
        erin = add_member(self.alice_team, "erin", Role.TRAINER)
        self.client.force_login(erin)
        before = self.password_of("dave")
        self.assertEqual(self.set().status_code, 403)
        self.assertEqual(self.password_of("dave"), before)

    def test_it_answers_404_to_other_teams(self):
        before = self.password_of("dave")
        self.client.force_login(self.bob)
        self.assertEqual(self.set().status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.set("bob").status_code, 404)  # bob is not in alice's team
        self.assertEqual(self.password_of("dave"), before)

    def test_it_refuses_the_admins_own_password(self):
        before = self.password_of("alice")
        response = self.set("alice")
        self.assertContains(response, "Change your own password with “Forgot your password?”")
        self.assertEqual(self.password_of("alice"), before)

    def test_it_refuses_staff(self):
        Membership.objects.create(team=self.alice_team, user=self.charlie, role=Role.VIEWER)
        before = self.password_of("charlie")
        self.assertContains(self.set("charlie"), "charlie runs this site")
        self.assertEqual(self.password_of("charlie"), before)

    def test_it_refuses_someone_also_in_a_team_the_admin_does_not_run(self):
        Membership.objects.create(team=self.bob_team, user=self.dave, role=Role.VIEWER)
        before = self.password_of("dave")
        self.assertContains(self.set(), "dave is also in teams you are not an admin of")
        self.assertEqual(self.password_of("dave"), before)
        # Once alice runs that team too, she may.
        Membership.objects.create(team=self.bob_team, user=self.alice, role=Role.ADMIN)
        self.assertContains(self.set(), "dave has a new password")

    def test_it_requires_csrf(self):
        before = self.password_of("dave")
        response = self.set(client=self.csrf_client(self.alice))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.password_of("dave"), before)

    def test_it_lets_the_member_sign_in_with_the_new_password(self):
        self.set()
        client = Client()
        data = {"username": "dave", "password": NEW_PASSWORD}
        self.assertRedirects(client.post(reverse("login"), data), reverse("home"))
        data["password"] = PASSWORD
        self.assertEqual(Client().post(reverse("login"), data).status_code, 200)
