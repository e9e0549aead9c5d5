"""The cast every web test starts with, built in code (no fixtures files).

    class UploadTestCase(BaseTestCase):
        def test_it_works(self):
            self.client.force_login(self.alice)
            response = self.upload(reviews_csv())

alice owns a personal team, bob has his own team (his requests for alice's objects must
answer 404), charlie is staff. Uploaded files go to a fresh temporary MEDIA_ROOT per test.
"""

import shutil
import tempfile
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from webapp.accounts.models import Team
from webapp.spreadsheets.models import Spreadsheet

PASSWORD = "correct horse battery staple"
POSITIVE = ["Great product, works exactly as described and arrived early.", "I love it!"]
NEGATIVE = ["Broke after two days and support never answered my emails.", "Awful."]


def reviews_csv(rows: int = 20, labels=("positive", "negative"), encoding="utf-8") -> bytes:
    """A small labelled CSV: a long "review" text column and a short "sentiment" label column."""
    lines = ["id,review,sentiment"]
    for i in range(rows):
        label = labels[i % len(labels)]
        text = (POSITIVE if i % 2 == 0 else NEGATIVE)[i % 4 // 2]
        lines.append(f'{i + 1},"{text} (review number {i + 1})",{label}')
    return ("\n".join(lines) + "\n").encode(encoding)


class BaseTestCase(TestCase):
    def setUp(self):
        super().setUp()
        self.media_root = Path(tempfile.mkdtemp(prefix="labeltune-media-"))
        self.addCleanup(shutil.rmtree, self.media_root, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=self.media_root)
        media.enable()
        self.addCleanup(media.disable)

        self.alice = User.objects.create_user("alice", "alice@example.org", PASSWORD)
        self.alice_team = Team.create_personal(self.alice)
        self.bob = User.objects.create_user("bob", "bob@example.org", PASSWORD)
        self.bob_team = Team.create_personal(self.bob)
        self.charlie = User.objects.create_user(
            "charlie", "charlie@example.org", PASSWORD, is_staff=True
        )
        self.charlie_team = Team.create_personal(self.charlie)

    def upload(self, content: bytes, name: str = "reviews.csv", client: Client | None = None):
        """POST a file to the upload page as the logged-in user of `client`."""
        return (client or self.client).post(
            reverse("spreadsheets:upload"), {"file": SimpleUploadedFile(name, content)}
        )

    def make_spreadsheet(
        self, content: bytes | None = None, name: str = "reviews.csv", user: User | None = None
    ) -> Spreadsheet:
        """Upload through the real view as `user` (alice by default) and return the row."""
        client = Client()
        client.force_login(user or self.alice)
        response = self.upload(reviews_csv() if content is None else content, name, client)
        assert response.status_code == 302, response.content.decode()[:2000]
        return Spreadsheet.objects.latest("created")

    def csrf_client(self, user: User | None = None) -> Client:
        """A client that enforces CSRF like a browser does, logged in as `user`."""
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        return client

    def stored_files(self) -> list[Path]:
        return [p for p in self.media_root.rglob("*") if p.is_file()]
