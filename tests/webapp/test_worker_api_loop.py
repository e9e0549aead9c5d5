"""The improve loop over the API, on real processes: a program with a trainer's token uploads
a spreadsheet (read by the worker), reads its suggested columns, starts a run with columns
and settings, follows it on the real RQ worker (tiny model) to its metrics, improves the
model with new rows, and makes the new version current; the model then answers as v2."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.webapp import test_worker_training as training
from tests.webapp.runs_support import rows, rows_csv
from tests.webapp.test_worker_training import FORM, wait_for

pytestmark = pytest.mark.slow
# The real-process fixtures of test_worker_training.py, for this module too.
redis_proc, shared, worker = training.redis_proc, training.shared, training.worker
SETTINGS = {k: v for k, v in FORM.items() if k not in ("name", "hub_id")} | {"epochs": "8"}


def new_rows_csv(n: int) -> bytes:
    lines = ["review,sentiment"] + [f'"{text}","{label}"' for text, label in rows(n, seed=5)]
    return ("\n".join(lines) + "\n").encode()


def test_a_program_runs_the_improve_loop_over_the_api(shared, worker, tmp_path):
    from webapp.accounts.models import ApiToken, Team

    user = User.objects.create_user("d-loop", "d-loop@example.org", "pw-d-loop-1234")
    _, secret = ApiToken.create(Team.create_personal(user), user, "loop")
    api, auth = Client(), {"Authorization": f"Bearer {secret}"}
    log = tmp_path / "worker.log"
    wait_for(lambda: "Listening on" in log.read_text(), 60, "the worker to listen", worker)

    def get(name, *args):
        response = api.get(reverse(f"api:{name}", args=args), headers=auth)
        assert response.status_code == 200, response.content
        return response.json()

    def post(name, *args, **body):
        url = reverse(f"api:{name}", args=args)
        if "file" in body:
            return api.post(url, body, headers=auth)
        return api.post(url, body, content_type="application/json", headers=auth)

    def finished(uuid):
        wait_for(lambda: get("run", uuid)["status"] in ("finished", "failed"), 180, "the run",
                 worker)  # fmt: skip
        run = get("run", uuid)
        assert run["status"] == "finished", run["message"]
        return run

    # Upload: the worker reads it; the answer says so until it has.
    response = post("sheet_new", file=SimpleUploadedFile("reviews.csv", rows_csv(90)))
    assert response.status_code == 201, response.content
    sheet = response.json()["uuid"]
    wait_for(lambda: not get("sheet", sheet)["reading"], 60, "the file to be read", worker)
    suggested = get("sheet", sheet)["suggestion"]
    assert suggested["mapping"]["text"] == "review", suggested

    # Train with the columns and settings sent; follow the run to its metrics.
    columns = {"text": "review", "label": "sentiment"}
    response = post("run_new", sheet, task="single_label", mapping=columns, settings=SETTINGS)
    assert response.status_code == 202, response.content
    first = finished(response.json()["uuid"])
    assert first["percent"] == 100 and first["epochs"] == 8 and first["version"] == 1
    assert first["metrics"]["test_rows"] > 0 and "test_accuracy" in first["metrics"]
    assert get("sheet", sheet)["health"]["rows_used"] == 90

    # Improve the model with new rows: v2, which answers once promoted.
    model = first["model"]
    response = post("improve", model, file=SimpleUploadedFile("new.csv", new_rows_csv(40)))
    assert response.status_code == 202, response.content
    second = finished(response.json()["uuid"])
    assert (second["model"], second["version"], second["improves"]) == (model, 2, model)
    assert second["metrics"]["continued_from"]["old_test"]["rows"] > 0
    assert [v["current"] for v in get("versions", model)] == [True, False]
    response = post("promote", model, 2)
    assert response.status_code == 200, response.content
    assert [v["current"] for v in get("versions", model)] == [False, True]
    response = post("predict", model, inputs=["the film was great"])
    assert response.json()["version"] == 2, response.content
