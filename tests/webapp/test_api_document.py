"""The API answers as its OpenAPI document says. schemathesis loads the live document from
the app, sends every operation requests generated from it (valid ones and, where the document
refuses something, invalid ones) with a real token, to a real tiny model and a real scored
batch as well as to ids that do not exist, and runs all its checks on each answer: the status
is documented, the content type and the body are as documented, invalid requests are refused,
a missing token is refused, unsupported methods answer 405.

Accepted differences, each stated in the operation's description instead, where no OpenAPI
schema can say it:
- POST /models/{uuid}/predict: an input's shape depends on the model (takes_pairs): a
  text_pair sent to a one-text model, or none to a pair model, answers 400 though the schema
  allows both shapes.
- POST /models/{uuid}/predict: more than 1,000 inputs (the schema's maxItems) answer 413, as
  documented, where schemathesis expects 400 or 422 for a request the schema refuses.
- POST /models/{uuid}/batches: a file whose name does not end in a spreadsheet's suffix
  answers 400; OpenAPI cannot constrain a file's name.
- The improve loop (POST /spreadsheets, /spreadsheets/{uuid}/label-check and /runs,
  /models/{uuid}/improve): a file's name and contents, a mapping's columns, a base model and
  the settings are checked as the pages check them (400), which no schema can say.
"""

from unittest import mock

import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model, mapped_spreadsheet
from webapp.accounts.models import ApiToken
from webapp.catalog import jobs, predictors
from webapp.catalog.models import BatchPrediction

PREDICT = "POST /api/v1/models/{uuid}/predict"
NEW_BATCH = "POST /api/v1/models/{uuid}/batches"
NEW_SHEET = "POST /api/v1/spreadsheets"
LABEL_CHECK = "POST /api/v1/spreadsheets/{uuid}/label-check"
NEW_RUN = "POST /api/v1/spreadsheets/{uuid}/runs"
IMPROVE = "POST /api/v1/models/{uuid}/improve"
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis's defaults
CONFIG = {
    "operations": [
        {
            "include-name": PREDICT,
            "checks": {
                "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]},
                "negative_data_rejection": {"expected-statuses": [*REFUSED, "413"]},
            },
        },
        {
            "include-name": NEW_BATCH,
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
        },
        *(
            {  # a file's name and contents, columns and settings: checked beyond the schema
                "include-name": label,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for label in (NEW_SHEET, LABEL_CHECK, NEW_RUN, IMPROVE)
        ),
    ]
}
EXAMPLES = 12  # per operation, kind of data and id: the whole file runs in about a minute


def words(text: str) -> str:
    return " ".join(text.split())


@override_settings(ALLOWED_HOSTS=["localhost", "testserver"], API_RATE_PER_MINUTE=0)
class ApiDocumentTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice)
        # schemathesis calls the WSGI app itself, so each request's start and end would close
        # the database connection the test's transaction lives on (on PostgreSQL that ends the
        # test; Django's test client avoids it the same way, by not closing).
        keep = mock.patch.object(BaseDatabaseWrapper, "close_if_unusable_or_obsolete")
        keep.start()
        self.addCleanup(keep.stop)
        _, secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        self.auth = {"Authorization": f"Bearer {secret}"}
        self.schema = schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json",
            get_wsgi_application(),
            config=schemathesis.Config.from_dict(CONFIG),
        )

    def check(self, label: str, *, uuid=None, modes=tuple(GenerationMode)):
        """Generated requests to one operation, each answer run through every check."""
        operation = self.schema.find_operation_by_label(label)
        path = {"uuid": str(uuid)} if uuid else None
        for mode in modes:
            strategy = operation.as_strategy(mode, path_parameters=path, headers=self.auth)

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def answers_as_documented(case):
                case.call_and_validate(headers=self.auth)

            with self.subTest(label=label, mode=mode.value, uuid=uuid):
                answers_as_documented()

    def scored_batch(self) -> BatchPrediction:
        url = reverse("api:batch_new", args=[self.model.uuid])
        upload = SimpleUploadedFile("reviews.csv", b"review\nthe film was great\ndull film\n")
        response = self.client.post(url, {"file": upload}, headers=self.auth)
        batch = BatchPrediction.objects.get(uuid=response.json()["uuid"])
        jobs.score_batch(batch.pk)
        return batch

    def test_it_lists_models_as_documented(self):
        self.check("GET /api/v1/models", modes=[GenerationMode.POSITIVE])

    def test_it_predicts_as_documented(self):
        self.check(PREDICT, uuid=self.model.uuid)
        self.check(PREDICT)  # ids of no model, and malformed ones
        too_many = self.schema.find_operation_by_label(PREDICT).Case(
            path_parameters={"uuid": str(self.model.uuid)}, body={"inputs": ["x"] * 1001}
        )
        self.assertEqual(too_many.call_and_validate(headers=self.auth).status_code, 413)

    def test_it_takes_batches_as_documented(self):
        self.check(NEW_BATCH, uuid=self.model.uuid)
        self.check(NEW_BATCH)

    def test_it_runs_the_improve_loop_as_documented(self):
        sheet = mapped_spreadsheet(self)
        positive = [GenerationMode.POSITIVE]  # a GET of one id has no invalid data to send
        self.check(NEW_SHEET)
        for label, uuid, modes in (
            ("GET /api/v1/spreadsheets/{uuid}", sheet.uuid, positive),
            (LABEL_CHECK, sheet.uuid, tuple(GenerationMode)),
            (NEW_RUN, sheet.uuid, tuple(GenerationMode)),
            ("GET /api/v1/runs/{uuid}", self.model.run.uuid, positive),
            (IMPROVE, self.model.uuid, tuple(GenerationMode)),
        ):
            self.check(label, uuid=uuid, modes=modes)
            self.check(label)

    def test_it_answers_a_batch_and_its_scored_file_as_documented(self):
        batch = self.scored_batch()
        for label in ("GET /api/v1/batches/{uuid}", "GET /api/v1/batches/{uuid}/download"):
            self.check(label, uuid=batch.uuid, modes=[GenerationMode.POSITIVE])
            self.check(label)

    def test_it_documents_the_scored_file_as_sent(self):
        batch = self.scored_batch()
        response = self.client.get(
            reverse("api:batch_download", args=[batch.uuid]), headers=self.auth
        )
        self.assertEqual(response.status_code, 200)
        document = self.client.get(reverse("api:openapi-json")).json()
        download = document["paths"]["/api/v1/batches/{uuid}/download"]["get"]["responses"]
        self.assertIn(response["Content-Type"], download["200"]["content"])
        self.assertNotIn("application/json", download["200"]["content"])

    def test_it_says_what_it_refuses(self):
        paths = self.client.get(reverse("api:openapi-json")).json()["paths"]
        predict = paths["/api/v1/models/{uuid}/predict"]["post"]
        self.assertIn("any other model refuses a text_pair (400)", words(predict["description"]))
        self.assertTrue(predict["responses"]["413"]["description"].startswith("More than 1,000"))
        batches = paths["/api/v1/models/{uuid}/batches"]["post"]
        self.assertIn(".csv, .tsv, .txt, .xlsx, .xlsm, .xls, .xlsb or .ods (400 otherwise)",
                      words(batches["description"]))  # fmt: skip
        self.assertNotIn("413", paths["/api/v1/batches/{uuid}"]["get"]["responses"])

    def test_it_answers_json_for_a_malformed_id(self):
        response = self.client.post("/api/v1/models/1/predict", {}, headers=self.auth)
        self.assertEqual(response.status_code, 404)
        self.assertIn("There is nothing at this address.", response.json()["detail"])
