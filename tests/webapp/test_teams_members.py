"""Teams: create, switch, rename, invite, change roles, remove, leave; the last admin stays."""

from django.core import mail
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Activity, Membership, Role, Team


class TeamMembersTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_it_creates_a_team_with_its_creator_as_admin(self):
        response = self.client.post(reverse("team_list"), {"name": "Support"})
        team = Team.objects.get(name="Support")
        self.assertRedirects(response, reverse("team_detail", args=[team.uuid]))
        self.assertEqual(team.role_of(self.alice), Role.ADMIN)

    def test_it_switches_only_to_own_teams(self):
        response = self.client.post(reverse("team_switch"), {"team": self.bob_team.uuid})
        self.assertEqual(response.status_code, 404)
        team = Team.create_for(self.alice, "Research")
        self.client.post(reverse("team_switch"), {"team": team.uuid, "next": "/data/"})
        self.assertEqual(self.client.session["team"], str(team.uuid))

    def test_it_explains_roles_on_the_members_page(self):
        response = self.client.get(reverse("team_detail", args=[self.alice_team.uuid]))
        self.assertContains(response, "tries them, scores spreadsheets")
        self.assertContains(response, "invites and removes people")

    def test_it_renames_the_team(self):
        self.client.post(reverse("team_rename", args=[self.alice_team.uuid]), {"name": "Ops"})
        self.alice_team.refresh_from_db()
        self.assertEqual(self.alice_team.name, "Ops")

    def test_it_invites_by_email_and_shows_the_link(self):
        url = reverse("team_invite", args=[self.alice_team.uuid])
        response = self.client.post(url, {"email": "ann@example.org", "role": Role.TRAINER})
        self.assertEqual(len(mail.outbox), 1)
        link = response.context["link"]
        self.assertIn(link, mail.outbox[0].body)
        self.assertContains(response, link)
        self.assertEqual(mail.outbox[0].to, ["ann@example.org"])

    def test_it_changes_roles_but_keeps_one_admin(self):
        dave = add_member(self.alice_team, "dave", Role.VIEWER)
        url = reverse("member_role", args=[self.alice_team.uuid])
        self.client.post(url, {"member": "dave", "role": Role.TRAINER})
        self.assertEqual(self.alice_team.role_of(dave), Role.TRAINER)
        response = self.client.post(url, {"member": "alice", "role": Role.VIEWER}, follow=True)
        self.assertContains(response, "A team needs at least one admin.")
        self.assertEqual(self.alice_team.role_of(self.alice), Role.ADMIN)

    def test_it_keeps_the_last_admin_from_leaving(self):
        response = self.client.post(reverse("team_leave", args=[self.alice_team.uuid]), follow=True)
        self.assertContains(response, "A team needs at least one admin.")
        self.assertTrue(Membership.objects.filter(team=self.alice_team, user=self.alice).exists())

    def test_it_lets_members_leave(self):
        dave = add_member(self.alice_team, "dave", Role.TRAINER)
        self.client.force_login(dave)
        self.client.post(reverse("team_leave", args=[self.alice_team.uuid]))
        self.assertIsNone(self.alice_team.role_of(dave))

    def test_it_removes_a_member_who_loses_access_at_once(self):
        dave = add_member(self.alice_team, "dave", Role.VIEWER)
        dave_client = self.csrf_client(dave)
        team_url = reverse("team_detail", args=[self.alice_team.uuid])
        self.assertEqual(dave_client.get(team_url).status_code, 200)
        self.client.post(reverse("member_remove", args=[self.alice_team.uuid]), {"member": "dave"})
        self.assertEqual(dave_client.get(team_url).status_code, 404)
        what = list(Activity.objects.filter(team=self.alice_team).values_list("what", flat=True))
        self.assertIn("removed dave from the team", what)

    def test_it_lists_activity(self):
        self.make_spreadsheet()
        response = self.client.get(reverse("team_activity", args=[self.alice_team.uuid]))
        self.assertContains(response, "alice uploaded the spreadsheet")

    def test_it_keeps_viewers_from_uploading(self):
        team = Team.create_for(self.bob, "Bob's shop")
        Membership.objects.create(team=team, user=self.alice, role=Role.VIEWER)
        self.client.post(reverse("team_switch"), {"team": team.uuid})
        self.assertEqual(self.client.get(reverse("spreadsheets:upload")).status_code, 403)
