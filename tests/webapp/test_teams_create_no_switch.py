"""Creating a team keeps the team in use; the new team's page asks "Switch to <team> now?"
and its button switches, back to the same page."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from webapp.accounts.models import Team


class TeamCreateNoSwitchTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client = self.csrf_client(self.alice)

    def create(self, name: str):
        page = self.client.get(reverse("team_list"))
        token = page.context["csrf_token"]
        return self.client.post(
            reverse("team_list"), {"name": name, "csrfmiddlewaretoken": token}, follow=True
        )

    def test_it_keeps_the_team_in_use(self):
        page = self.create("Support")
        team = Team.objects.get(name="Support")
        self.assertContains(page, "Created &quot;Support&quot;. You are its admin.")
        self.assertNotEqual(self.client.session.get("team"), str(team.uuid))
        home = self.client.get(reverse("home"))
        self.assertContains(home, f'<option value="{self.alice_team.uuid}" selected>')
        self.assertContains(home, f'<option value="{team.uuid}">Support</option>')

    def test_it_asks_to_switch_on_the_new_team_page(self):
        page = self.create("Support")
        team = Team.objects.get(name="Support")
        self.assertContains(page, 'id="switch-offer"')
        self.assertContains(page, "Switch to Support now?")
        self.assertContains(page, "You are working in “alice&#x27;s team”")

        offer = page.content.decode().split('id="switch-offer"', 1)[1].split("</form>", 1)[0]
        self.assertIn(f'name="team" value="{team.uuid}"', offer)
        token = page.context["csrf_token"]
        url = reverse("team_detail", args=[team.uuid])
        switched = self.client.post(
            reverse("team_switch"),
            {"team": team.uuid, "next": url, "csrfmiddlewaretoken": token},
            follow=True,
        )
        self.assertRedirects(switched, url)
        self.assertEqual(self.client.session["team"], str(team.uuid))
        self.assertNotContains(switched, 'id="switch-offer"')

    def test_it_offers_no_switch_on_the_team_in_use(self):
        page = self.client.get(reverse("team_detail", args=[self.alice_team.uuid]))
        self.assertNotContains(page, 'id="switch-offer"')
