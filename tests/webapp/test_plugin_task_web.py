"""A task plugged in from outside finetune/ and webapp/ works on every page and in the API, with
no file changed but the tests: the task of tests/finetune/test_plugin_task.py ("does the text
mention a number above 100?", its answers in a role of its own) is registered in this process
and, through LABELTUNE_TASKS, in a real RQ worker; then a user uploads, maps the columns (the
form asks for its role), reads the data check, trains a tiny model on the worker, opens the
evaluation page, tries the model, scores a file in the background, and asks the API, whose
document gives the task's answer its own shape.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finetune.tasks import registered
from finetune.tasks.base import percent
from tests.finetune.test_plugin_task import LARGE, SMALL, WORDS, AboveHundredTask, plugin_rows
from tests.tinymodel import make_tiny_model
from tests.webapp import test_worker_training as training
from tests.webapp.test_worker_training import (
    FORM,
    logged_in_client,
    rq_worker,
    wait_for,
)

pytestmark = pytest.mark.slow
# The real-process fixtures of test_worker_training.py, for this module too.
redis_proc, shared = training.redis_proc, training.shared
PLUGIN = "tests.finetune.test_plugin_task:AboveHundredTask"


@pytest.fixture
def plugged(shared, tmp_path):
    """The task registered here and in a worker, and a tiny base model that knows numbers."""
    make_tiny_model([" ".join(WORDS + SMALL + LARGE)], tmp_path / "models" / "numbers")
    with (
        registered(AboveHundredTask()),
        rq_worker(shared | {"LABELTUNE_TASKS": PLUGIN}, tmp_path / "worker.log") as worker,
    ):
        yield worker


def test_a_plugged_in_task_goes_through_the_pages_the_worker_and_the_api(plugged, tmp_path):
    from webapp.accounts.models import ApiToken
    from webapp.catalog.models import BatchPrediction
    from webapp.runs.models import TrainingRun
    from webapp.spreadsheets.models import Spreadsheet

    worker, client = plugged, logged_in_client()
    log = tmp_path / "worker.log"
    wait_for(lambda: "Listening on" in log.read_text(), 60, "the worker to listen", worker)
    upload = SimpleUploadedFile("numbers.csv", plugin_rows(60).to_csv(index=False).encode())
    assert client.post(reverse("spreadsheets:upload"), {"file": upload}).status_code == 302
    sheet = Spreadsheet.objects.latest("pk")
    url = reverse("spreadsheets:detail", args=[sheet.uuid])

    def read():  # in the request, or by the worker
        return "Check my data" in client.get(url).content.decode()

    wait_for(read, 60, "the file to be read", worker)
    form = client.get(url).context["form"]
    assert ("above_100", AboveHundredTask.title) in form.fields["task"].choices
    assert form.fields["answer_column"].label == "Answer column"  # its role, from its spec

    mapping = {"sheet": "", "task": "above_100", "text_column": "sentence", "answer_column": "over"}
    assert client.post(url, mapping).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.task, sheet.mapping["answer"]) == ("above_100", "over")
    page = client.get(url).content.decode()
    assert "Your data is ready for training." in page and "of 60 rows will be used" in page

    form = FORM | {"base_model": "local:numbers", "epochs": "6", "max_length": "16"}
    response = client.post(reverse("runs:new", args=[sheet.uuid]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    run = TrainingRun.objects.latest("pk")

    def final(thing):
        thing.refresh_from_db()
        return thing.is_final

    wait_for(lambda: final(run), 180, "the training run", worker)
    assert run.status == TrainingRun.Status.FINISHED, (run.message, run.log)
    page = client.get(reverse("runs:evaluation", args=[run.uuid])).content.decode()
    accuracy = percent(run.metrics["test_accuracy"])  # its headline, in its words
    assert f"Accuracy: {accuracy} on {run.metrics['test_rows']} test rows" in page

    model = run.model
    answer = client.post(reverse("catalog:try", args=[model.uuid]), {"text": "we sold 503 units"},
                         HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "% sure" in answer and ("yes" in answer or "no" in answer)  # the generic answer

    batch_file = SimpleUploadedFile("new.csv", b"sentence\nwe sold 503 units\nabout 9 kilos\n")
    client.post(reverse("catalog:batch_new", args=[model.uuid]), {"file": batch_file})
    batch = BatchPrediction.objects.get()
    wait_for(lambda: final(batch), 60, "the batch prediction", worker)
    assert (batch.status, batch.rows) == ("finished", 2), (batch.message, batch.log)
    download = client.get(reverse("catalog:batch_download", args=[batch.uuid]))
    scored = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert scored[0] == "sentence,above_100"  # the task's own column
    assert {line.rsplit(",", 1)[1] for line in scored[1:]} <= {"yes", "no"}

    _, secret = ApiToken.create(model.team, run.created_by, "proof")
    auth = {"Authorization": f"Bearer {secret}"}
    document = client.get(reverse("api:openapi-json")).json()
    union = document["paths"]["/api/v1/models/{uuid}/predict"]["post"]["responses"]["200"]
    mapping = union["content"]["application/json"]["schema"]["discriminator"]["mapping"]
    assert mapping["above_100"] == "#/components/schemas/Above100Answer"
    shape = document["components"]["schemas"]["Above100Prediction"]
    assert set(shape["required"]) == {"label", "confidence"}
    answered = client.post(
        reverse("api:predict", args=[model.uuid]),
        json.dumps({"inputs": ["we sold 503 units"]}),
        content_type="application/json",
        headers=auth,
    )
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["task"] == "above_100"
    assert set(body["predictions"][0]) == {"label", "confidence"}
    assert body["predictions"][0]["label"] in ("yes", "no")
