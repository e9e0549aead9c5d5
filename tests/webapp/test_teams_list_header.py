"""Every list (spreadsheets, runs, models) names the team in use and the user's role there,
and says where else the user has work ("5 runs in your personal team") with a switch there."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role, Team
from webapp.catalog.models import TrainedModel
from webapp.runs.models import RunStatus, TrainingRun


class TeamListHeaderTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        sheet = self.make_spreadsheet()  # in alice's personal team, the one in use by default
        runs = [
            TrainingRun.objects.create(
                team=self.alice_team,
                created_by=self.alice,
                spreadsheet=sheet,
                name=f"run {i}",
                status=RunStatus.RUNNING,
            )  # fmt: skip
            for i in range(5)
        ]
        TrainedModel.objects.create(team=self.alice_team, run=runs[0], name="Sentiment")
        # Bob's work is in a team alice is not in: never counted for her.
        TrainingRun.objects.create(team=self.bob_team, created_by=self.bob, name="bob's run")
        self.support = Team.create_for(self.alice, "Support")
        self.client = self.csrf_client(self.alice)

    def use(self, team: Team) -> None:
        session = self.client.session
        session["team"] = str(team.uuid)
        session.save()

    def header(self, url: str) -> str:
        page = self.client.get(url).content.decode()
        return page.split('id="team-header"', 1)[1].split("</div>", 1)[0]

    def test_it_says_where_the_other_work_is(self):
        self.use(self.support)
        expected = {
            "spreadsheets:list": "1 spreadsheet in your personal team.",
            "runs:list": "5 runs in your personal team.",
            "catalog:list": "1 model in your personal team.",
        }
        for name, words in expected.items():
            header = self.header(reverse(name))
            self.assertIn("Team in use: <a", header)
            self.assertIn("<strong>Support</strong></a> (you are an admin).", header)
            self.assertIn(words, header)
            self.assertIn(f'name="team" value="{self.alice_team.uuid}"', header)
            self.assertIn(f'name="next" value="{reverse(name)}"', header)
            self.assertIn('name="csrfmiddlewaretoken"', header)
            self.assertIn("Switch to alice&#x27;s team</button>", header)
            self.assertNotIn(str(self.bob_team.uuid), header)

    def test_it_names_a_shared_team_by_its_name(self):
        dave = add_member(self.support, "dave", Role.VIEWER)
        Team.create_personal(dave)  # in use: personal teams come first
        TrainingRun.objects.create(team=self.support, created_by=self.alice, name="shared")
        self.client = self.csrf_client(dave)
        header = self.header(reverse("runs:list"))
        self.assertIn("<strong>dave&#x27;s team</strong>", header)
        self.assertIn("1 run in “Support”.", header)
        self.assertIn("Switch to Support</button>", header)

    def test_it_only_names_the_team_when_there_is_no_work_elsewhere(self):
        header = self.header(reverse("runs:list"))
        self.assertIn("<strong>alice&#x27;s team</strong></a> (you are an admin).", header)
        self.assertNotIn("<form", header)

    def test_it_switches_from_the_header_back_to_the_same_list(self):
        self.use(self.support)
        page = self.client.get(reverse("runs:list"))
        self.assertContains(page, "No training runs yet.")
        switched = self.client.post(
            reverse("team_switch"),
            {
                "team": self.alice_team.uuid,
                "next": reverse("runs:list"),
                "csrfmiddlewaretoken": page.context["csrf_token"],
            },
            follow=True,
        )
        self.assertRedirects(switched, reverse("runs:list"))
        self.assertContains(switched, "run 4")
