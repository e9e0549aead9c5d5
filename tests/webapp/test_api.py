"""The prediction API: tokens, predictions from a real tiny model, errors, limits, OpenAPI."""

import json

from django.conf import settings
from django.core.cache import cache, caches
from django.test import override_settings
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model, free_port, rows
from webapp import settings as app_settings
from webapp.accounts.models import ApiToken
from webapp.catalog import predictors


class ApiTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice)
        self.token, self.secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        self.auth = {"Authorization": f"Bearer {self.secret}"}

    def predict(self, body, headers=None, model=None):
        url = reverse("api:predict", args=[(model or self.model).uuid])
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            url,
            data,
            content_type="application/json",
            headers=self.auth if headers is None else headers,
        )

    def test_it_predicts_what_the_predictor_answers(self):
        texts = [text for text, _ in rows(6)]
        response = self.predict({"inputs": texts})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        expected = predictors.get_predictor(self.model.run_dir).predict(texts)
        self.assertEqual(len(body["predictions"]), 6)
        for got, want in zip(body["predictions"], expected, strict=True):
            self.assertEqual(got["label"], want["label"])
            self.assertAlmostEqual(got["confidence"], want["confidence"], places=5)
        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.last_used)

    def test_it_answers_only_the_fields_of_the_task(self):
        response = self.predict({"inputs": ["the film was great"]})
        self.assertEqual(set(response.json()["predictions"][0]), {"label", "confidence", "scores"})
        document = self.client.get(reverse("api:openapi-json")).json()
        schemas = document["components"]["schemas"]
        # Each task's answer has its own shape, told apart by "task" (Task.prediction_schema).
        answer = document["paths"]["/api/v1/models/{uuid}/predict"]["post"]["responses"]["200"]
        union = answer["content"]["application/json"]["schema"]
        self.assertEqual(union["discriminator"]["propertyName"], "task")
        self.assertEqual(
            union["discriminator"]["mapping"]["single_label"],
            "#/components/schemas/SingleLabelAnswer",
        )
        answer = schemas["SingleLabelAnswer"]["properties"]
        self.assertEqual(answer["task"]["const"], "single_label")
        self.assertEqual(
            answer["predictions"]["items"]["$ref"], "#/components/schemas/SingleLabelPrediction"
        )
        shapes = {name: set(schemas[f"{name}Prediction"]["required"]) for name in
                  ("SingleLabel", "MultiLabel", "Regression", "Ner")}  # fmt: skip
        self.assertEqual(
            shapes,
            {
                "SingleLabel": {"label", "confidence", "scores"},
                "MultiLabel": {"labels", "scores"},
                "Regression": {"value"},
                "Ner": {"entities"},
            },
        )
        self.assertEqual(
            set(schemas["Entity"]["required"]), {"type", "text", "start", "end", "confidence"}
        )

    def test_it_lists_the_team_models(self):
        response = self.client.get(reverse("api:models"), headers=self.auth)
        self.assertEqual([m["uuid"] for m in response.json()], [str(self.model.uuid)])
        self.assertFalse(response.json()[0]["published"])

    def test_it_answers_401_without_a_good_token(self):
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": self.secret}):
            response = self.predict({"inputs": ["x"]}, headers=headers)
            self.assertEqual(response.status_code, 401)
            self.assertIn("Bearer", response.json()["detail"])

    def test_it_stops_a_revoked_token_at_once(self):
        self.assertEqual(self.client.get(reverse("api:models"), headers=self.auth).status_code, 200)
        self.client.force_login(self.alice)
        self.client.post(reverse("token_revoke", args=[self.token.uuid]))
        self.client.logout()
        self.assertEqual(self.client.get(reverse("api:models"), headers=self.auth).status_code, 401)

    def test_it_answers_404_for_another_teams_model(self):
        _, bob_secret = ApiToken.create(self.bob_team, self.bob, "bob")
        response = self.predict({"inputs": ["x"]}, {"Authorization": f"Bearer {bob_secret}"})
        self.assertEqual(response.status_code, 404)
        self.assertIn("detail", response.json())

    def test_it_names_the_field_of_bad_input(self):
        response = self.predict({"inputs": ["fine", 3]})
        self.assertEqual(response.status_code, 400)
        self.assertIn("inputs[1]", response.json()["detail"])
        self.assertEqual(self.predict("{not json").status_code, 400)
        response = self.predict({"inputs": [{"text": "a", "text_pair": "b"}]})
        self.assertIn("takes one text", response.json()["detail"])

    def test_it_answers_413_past_1000_inputs(self):
        response = self.predict({"inputs": ["x"] * 1001})
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json()["detail"], "Send at most 1,000 inputs per request.")

    @override_settings(API_RATE_PER_MINUTE=2)
    def test_it_answers_429_with_retry_after(self):
        for _ in range(2):
            self.assertEqual(
                self.client.get(reverse("api:models"), headers=self.auth).status_code, 200
            )
        response = self.client.get(reverse("api:models"), headers=self.auth)
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertIn("too many requests", response.json()["detail"])

    def test_it_describes_itself_in_openapi(self):
        response = self.client.get(reverse("api:openapi-json"))
        document = response.json()
        self.assertTrue(document["openapi"].startswith("3."))
        paths = document["paths"]
        self.assertIn("/api/v1/models/{uuid}/predict", paths)
        self.assertIn("/api/v1/batches/{uuid}", paths)
        predict = paths["/api/v1/models/{uuid}/predict"]["post"]
        self.assertEqual(predict["security"], [{"TokenAuth": []}])
        self.assertTrue({"200", "400", "401", "404", "413", "429"} <= set(predict["responses"]))
        self.assertEqual(document["components"]["securitySchemes"]["TokenAuth"]["scheme"], "bearer")

    def test_it_shows_docs_without_scripts(self):
        response = self.client.get(reverse("api_docs"))
        self.assertContains(response, "POST /api/v1/models/{uuid}/predict")
        self.assertNotContains(response, "cdn")

    def test_it_scores_a_spreadsheet_as_a_job(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        url = reverse("api:batch_new", args=[self.model.uuid])
        upload = SimpleUploadedFile("reviews.csv", b"review\nthe film was great\n")
        with self.captureOnCommitCallbacks(execute=False):
            response = self.client.post(url, {"file": upload}, headers=self.auth)
        self.assertEqual(response.status_code, 202, response.content)
        batch = response.json()
        state = self.client.get(reverse("api:batch", args=[batch["uuid"]]), headers=self.auth)
        self.assertEqual(state.json()["uuid"], batch["uuid"])
        self.assertIsNone(state.json()["download_url"])

    @override_settings(MAX_UPLOAD_MB=0)
    def test_it_answers_413_for_a_large_spreadsheet(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        url = reverse("api:batch_new", args=[self.model.uuid])
        upload = SimpleUploadedFile("reviews.csv", b"review\nthe film was great\n")
        response = self.client.post(url, {"file": upload}, headers=self.auth)
        self.assertEqual(response.status_code, 413)
        self.assertIn("the limit is", response.json()["detail"])


class ApiRateInRedisTestCase(RedisMixin, ApiTestCase):
    """The counts live in Redis, so every web process and machine counts one token together."""

    def shared_cache_at(self, url: str):
        shared = app_settings.CACHES["shared"] | {"LOCATION": url}  # the app's, not the tests'
        return override_settings(CACHES=settings.CACHES | {"shared": shared})

    @override_settings(API_RATE_PER_MINUTE=2)
    def test_it_counts_the_calls_of_every_process_in_redis(self):
        with self.shared_cache_at(self.redis_url):
            for _ in range(2):
                self.assertEqual(
                    self.client.get(reverse("api:models"), headers=self.auth).status_code, 200
                )
            keys = [k.decode() for k in self.redis.keys("*")]
            self.assertEqual(keys, [f"labeltune:1:throttle_token_{self.token.uuid}"])
            caches["default"].clear()  # this process's own memory plays no part
            response = self.client.get(reverse("api:models"), headers=self.auth)
            self.assertEqual(response.status_code, 429)

    @override_settings(API_RATE_PER_MINUTE=2)
    def test_it_still_answers_while_redis_is_down(self):
        with self.shared_cache_at(f"redis://127.0.0.1:{free_port()}/0?socket_connect_timeout=1"):
            with self.assertLogs("webapp.api.auth", "WARNING") as logged:
                response = self.client.get(reverse("api:models"), headers=self.auth)
        self.assertEqual(response.status_code, 200)
        self.assertIn("API calls are not counted: Redis cannot be reached", logged.output[0])
