"""The Django admin and the django-rq dashboard are for staff only."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase


class AdminTestCase(BaseTestCase):
    def test_it_keeps_non_staff_out_of_the_admin(self):
        self.client.force_login(self.alice)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_it_keeps_non_staff_out_of_the_rq_dashboard(self):
        self.client.force_login(self.alice)
        for url in ("/admin/rq/", "/admin/rq/queues/0/", "/admin/rq/workers/0/"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/admin/login/", response["Location"])

    def test_it_keeps_anonymous_users_out_of_the_rq_stats(self):
        self.assertEqual(self.client.get("/admin/rq/stats.json").status_code, 401)

    def test_it_shows_teams_with_members_to_staff(self):
        self.charlie.is_superuser = True
        self.charlie.save(update_fields=["is_superuser"])
        self.client.force_login(self.charlie)
        response = self.client.get(reverse("admin:accounts_team_change", args=[self.alice_team.pk]))
        self.assertContains(response, "alice")
        self.assertContains(response, "Memberships")

    def test_it_shows_spreadsheets_to_staff(self):
        self.make_spreadsheet(name="alice-reviews.csv")
        self.charlie.is_superuser = True
        self.charlie.save(update_fields=["is_superuser"])
        self.client.force_login(self.charlie)
        response = self.client.get(reverse("admin:spreadsheets_spreadsheet_changelist"))
        self.assertContains(response, "alice-reviews.csv")
