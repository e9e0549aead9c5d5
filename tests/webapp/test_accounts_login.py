"""Log in with a username and password; log out with a POST."""

from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase


class LoginTestCase(BaseTestCase):
    def test_it_shows_the_form(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, "Log in")
        self.assertContains(response, reverse("signup"))

    def test_it_logs_in(self):
        response = self.client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        self.assertRedirects(response, reverse("home"))
        self.assertContains(self.client.get(reverse("home")), "Welcome, alice")

    def test_it_rejects_a_wrong_password(self):
        response = self.client.post(reverse("login"), {"username": "alice", "password": "nope"})
        self.assertContains(response, "Please enter a correct username and password")

    def test_it_returns_to_next(self):
        target = reverse("spreadsheets:list")
        response = self.client.post(
            reverse("login"), {"username": "alice", "password": PASSWORD, "next": target}
        )
        self.assertRedirects(response, target)

    def test_it_requires_csrf(self):
        client = self.csrf_client()
        response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 403)


class LogoutTestCase(BaseTestCase):
    def test_it_logs_out_on_post(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertRedirects(self.client.get(reverse("home")), "/login/?next=/")

    def test_it_refuses_get(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)

    def test_it_requires_csrf(self):
        response = self.csrf_client(self.alice).post(reverse("logout"))
        self.assertEqual(response.status_code, 403)
