"""The spreadsheet's rows stay with the team that trained a model: the model zip and a copy to
another team carry the same files (catalog.sharing.leaving_files), without the test rows, the
data check that quotes rows, or the test texts listed in evaluation.json."""

import io
import json
import zipfile

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.accounts.models import Membership, Role, Team
from webapp.catalog.models import TrainedModel

FOLDER = "reviews-model/"
EXAMPLE = {"row": 7, "text": "Ada Lovelace met Babbage in London", "expected": [], "predicted": []}


class RowsStayTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice, name="Reviews model")
        run_dir = self.model.run_dir
        # The run folder holds rows in three places (entity models list test texts).
        evaluation = json.loads((run_dir / "evaluation.json").read_text())
        (run_dir / "evaluation.json").write_text(json.dumps(evaluation | {"examples": [EXAMPLE]}))
        for name in ("test_predictions.csv", "health.json", "evaluation.json"):
            self.assertTrue((run_dir / name).is_file(), name)

    def zip_names(self, user) -> dict[str, bytes]:
        self.client.force_login(user)
        response = self.client.get(reverse("catalog:download", args=[self.model.uuid]))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        return {n.removeprefix(FOLDER): archive.read(n) for n in archive.namelist()}

    def test_it_leaves_the_rows_out_of_the_zip_even_for_the_team(self):
        Membership.objects.create(team=self.alice_team, user=self.bob, role=Role.VIEWER)
        for user in (self.alice, self.bob):
            files = self.zip_names(user)
            self.assertIn("model.safetensors", files)
            self.assertNotIn("test_predictions.csv", files)
            self.assertNotIn("health.json", files)
            evaluation = json.loads(files["evaluation.json"])
            self.assertNotIn("examples", evaluation)
            self.assertTrue(evaluation["per_label"])
            self.assertNotIn(b"Ada Lovelace", b"".join(files.values()))
        # The team still reads its test rows on the evaluation page.
        url = reverse("runs:predictions", args=[self.model.run.uuid, "csv"])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_copies_what_the_zip_carries_and_nothing_more(self):
        research = Team.create_for(self.alice, "Research")
        self.client.force_login(self.alice)
        self.client.post(reverse("catalog:copy", args=[self.model.uuid]), {"team": research.uuid})
        copy = TrainedModel.objects.get(team=research)
        copied = {
            p.relative_to(copy.run_dir).as_posix(): p.read_bytes()
            for p in copy.run_dir.rglob("*")
            if p.is_file()
        }
        self.assertEqual(copied, self.zip_names(self.alice))
