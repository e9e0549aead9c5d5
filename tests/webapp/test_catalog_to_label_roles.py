"""Pick rows to label is for trainers, and for models that can say how sure they are: a viewer
sees no such action and is refused (403); a model that predicts numbers offers none (404)."""

import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model, rows, session_dir, tiny_base_model
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role
from webapp.catalog.models import BatchPrediction, RowPick
from webapp.runs.models import RunStatus

CSV = b"review\nthe film was great\nawful plot\n"


def numbers_run_dir():
    """A real regression model (the tiny BERT, one epoch), trained once per test session."""
    out = session_dir() / "numbers"
    if not (out / "metrics.json").is_file():
        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train
        from tests.webapp.runs_support import train_config

        frame = pd.DataFrame(
            [(text, str(len(text) % 5 + 1)) for text, _ in rows(40)], columns=["review", "score"]
        )
        config = TrainConfig.from_dict(
            train_config(tiny_base_model(), epochs=1) | {"task": "regression"}
        )
        train(frame, ColumnMapping(text="review", label="score"), config, out)
    return out


class PickRowsRolesTestCase(BaseTestCase):
    def finished_batch(self, model) -> BatchPrediction:
        batch = BatchPrediction(team=model.team, model=model, original_name="new.csv",
                                status=RunStatus.FINISHED)  # fmt: skip
        batch.input.save("new.csv", ContentFile(CSV))
        return batch

    def post(self, user, model, batch):
        self.client.force_login(user)
        new = reverse("catalog:pick_new", args=[model.uuid])
        upload = {"pick-file": SimpleUploadedFile("new.csv", CSV), "pick-rows": "5"}
        from_batch = reverse("catalog:pick_from_batch", args=[batch.uuid])
        return [
            self.client.post(new, upload).status_code,
            self.client.post(from_batch, {"pick-rows": "5"}).status_code,
        ]

    def actions(self, user, model, batch) -> list[bool]:
        """Whether `user` sees each way to pick: on the model page, on the batch's row (on
        the page and in its live status)."""
        self.client.force_login(user)
        page = self.client.get(reverse("catalog:detail", args=[model.uuid])).content.decode()
        status = self.client.get(reverse("catalog:batch_status", args=[batch.uuid]))
        return [
            reverse("catalog:pick_new", args=[model.uuid]) in page,
            reverse("catalog:pick_from_batch", args=[batch.uuid]) in page,
            reverse("catalog:pick_from_batch", args=[batch.uuid]) in status.content.decode(),
        ]

    def test_it_offers_picking_to_trainers_only(self):
        model = finished_model(self.alice_team, self.alice)
        batch = self.finished_batch(model)
        viewer = add_member(self.alice_team, "dave", Role.VIEWER)
        trainer = add_member(self.alice_team, "erin", Role.TRAINER)
        self.assertEqual(self.actions(trainer, model, batch), [True, True, True])
        self.assertEqual(self.actions(viewer, model, batch), [False, False, False])
        self.assertEqual(self.post(viewer, model, batch), [403, 403])
        self.assertFalse(RowPick.objects.exists())

    def test_it_offers_nothing_for_a_model_that_predicts_numbers(self):
        model = finished_model(self.alice_team, self.alice, source=numbers_run_dir())
        self.assertEqual(model.run.task, "regression")
        batch = self.finished_batch(model)
        self.assertEqual(self.actions(self.alice, model, batch), [False, False, False])
        self.assertNotContains(
            self.client.get(reverse("catalog:detail", args=[model.uuid])), "Pick rows to label"
        )
        self.assertEqual(self.post(self.alice, model, batch), [404, 404])
        self.assertFalse(RowPick.objects.exists())
