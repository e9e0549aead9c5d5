"""The access rules, built from the URL configuration: every URL that names an object (a
uuid), every method, as a member of another team, as a member whose role is too low, and
anonymously, answers 404, 403 or the login page, and changes nothing.

A new URL with a uuid must be added to NEEDS (its object and the role it needs), or
test_it_knows_every_object_url fails; once listed, the other tests try it every way.
"""

import json
import uuid

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member, team_objects
from webapp.accounts.models import ROLE_RANK, ApiToken, Role

API = "api"  # token-authenticated: other teams' tokens get 404, no token or a cookie 401
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
OTHER_KWARGS = {"fmt": "csv", "secret": "x", "number": 1}

# URL name -> (the object of alice's team it names, the role it needs)
NEEDS = {
    "spreadsheets:detail": ("sheet", Role.TRAINER),
    "spreadsheets:download": ("sheet", Role.TRAINER),
    "spreadsheets:delete": ("sheet", Role.TRAINER),
    "spreadsheets:fix_apply": ("sheet", Role.TRAINER),
    "spreadsheets:fix_undo": ("sheet", Role.TRAINER),
    "spreadsheets:label_check": ("sheet", Role.TRAINER),
    "spreadsheets:label_status": ("sheet", Role.TRAINER),
    "spreadsheets:label_fix": ("sheet", Role.TRAINER),
    "spreadsheets:label_fix_all": ("sheet", Role.TRAINER),
    "spreadsheets:read_status": ("sheet", Role.TRAINER),
    "spreadsheets:read_again": ("sheet", Role.TRAINER),
    "runs:new": ("sheet", Role.TRAINER),
    "runs:detail": ("run", Role.VIEWER),
    "runs:status": ("run", Role.VIEWER),
    "runs:cancel": ("run", Role.TRAINER),
    "runs:retry": ("run", Role.TRAINER),
    "runs:delete": ("run", Role.TRAINER),
    "runs:evaluation": ("run", Role.VIEWER),
    "runs:entity_mistakes": ("run", Role.VIEWER),
    "runs:predictions": ("run", Role.VIEWER),
    "catalog:detail": ("model", Role.VIEWER),
    "catalog:try": ("model", Role.VIEWER),
    "catalog:download": ("model", Role.VIEWER),
    "catalog:download_int8": ("model", Role.VIEWER),
    "catalog:download_adapter": ("model", Role.VIEWER),
    "catalog:batch_new": ("model", Role.VIEWER),
    "catalog:batch_columns": ("model", Role.VIEWER),
    "catalog:publish": ("model", Role.TRAINER),
    "catalog:copy": ("model", Role.VIEWER),
    "catalog:batch_status": ("batch", Role.VIEWER),
    "catalog:batch_download": ("batch", Role.VIEWER),
    "catalog:pick_new": ("model", Role.TRAINER),
    "catalog:pick_from_batch": ("batch", Role.TRAINER),
    "catalog:pick_status": ("pick", Role.TRAINER),
    "catalog:pick_download": ("pick", Role.TRAINER),
    "catalog:improve": ("model", Role.TRAINER),
    "catalog:promote": ("model", Role.TRAINER),  # versions
    "catalog:faster": ("model", Role.TRAINER),
    "catalog:faster_accept": ("distillation", Role.TRAINER),
    "catalog:faster_undo": ("distillation", Role.TRAINER),
    "team_detail": ("team", Role.VIEWER),
    "team_rename": ("team", Role.ADMIN),
    "team_invite": ("team", Role.ADMIN),
    "member_role": ("team", Role.ADMIN),
    "member_remove": ("team", Role.ADMIN),
    "member_password": ("team", Role.ADMIN),
    "team_leave": ("team", Role.VIEWER),
    "team_activity": ("team", Role.VIEWER),
    "token_list": ("team", Role.TRAINER),
    "token_revoke": ("token", Role.TRAINER),
    "invitation_revoke": ("invitation", Role.ADMIN),
    "api:predict": ("model", API),
    "api:batch_new": ("model", API),
    "api:batch": ("batch", API),
    "api:batch_download": ("batch", API),
    "api:versions": ("model", API),
    "api:promote": ("model", API),
    "api:sheet": ("sheet", API),
    "api:label_check": ("sheet", API),
    "api:run_new": ("sheet", API),
    "api:run": ("run", API),
    "api:improve": ("model", API),
    "api:faster": ("model", API),
    "api:faster_state": ("model", API),
}
# Valid bodies, so that the API's input checks pass and the access check must answer.
BODIES = {
    "api:predict": lambda: {"data": {"inputs": ["x"]}, "content_type": "application/json"},
    "api:batch_new": lambda: {"data": {"file": SimpleUploadedFile("a.csv", b"text\nhi\n")}},
    "api:improve": lambda: {"data": {"file": SimpleUploadedFile("a.csv", b"text\nhi\n")}},
    "api:label_check": lambda: {"data": {}, "content_type": "application/json"},
    "api:run_new": lambda: {"data": {}, "content_type": "application/json"},
}
UNTRACKED = {"sessions", "axes", "admin"}  # logins write these; they are not team data


def object_urls(patterns=None, namespace="", prefix=""):
    """(name, route) of every URL pattern whose route takes a uuid, namespaced names."""
    found = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += object_urls(p.url_patterns, ns, route)
        elif isinstance(p, URLPattern) and ":uuid>" in route:
            found.append((f"{namespace}{p.name}", route))
    return found


def snapshot(media_root) -> str:
    rows = []
    for model in apps.get_models():
        if model._meta.app_label in UNTRACKED or not model._meta.managed or model._meta.proxy:
            continue
        for row in json.loads(serializers.serialize("json", model.objects.order_by("pk"))):
            if model is ApiToken:
                row["fields"].pop("last_used")  # the caller's own token notes its use
            rows.append(row)
    files = sorted(str(p) for p in media_root.rglob("*"))
    return json.dumps([rows, files], sort_keys=True, default=str)


class AccessRulesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.objects = team_objects(self)
        self.viewer = add_member(self.alice_team, "dave", Role.VIEWER)
        self.trainer = add_member(self.alice_team, "erin", Role.TRAINER)
        self.bob_token = ApiToken.create(self.bob_team, self.bob, "bob's")[1]
        self.viewer_token = ApiToken.create(self.alice_team, self.viewer, "dave's")[1]

    def names(self, kind=None) -> list[str]:
        """Names in NEEDS that the URL configuration has ("api", "web" or both)."""
        present = {name for name, _ in object_urls()}
        return [
            n
            for n, (_, need) in NEEDS.items()
            if n in present and (kind is None or (need == API) == (kind == API))
        ]

    def url(self, name, obj_uuid=None):
        attr, _ = NEEDS[name]
        _, route = next(u for u in object_urls() if u[0] == name)
        kwargs = {"uuid": obj_uuid or getattr(self.objects, attr).uuid}
        kwargs |= {k: v for k, v in OTHER_KWARGS.items() if f":{k}>" in route}
        return reverse(name, kwargs=kwargs)

    def assert_refused(self, client, expected, headers=None, names=None):
        before = snapshot(self.media_root)
        for name in names or self.names():
            for method in METHODS:
                with self.subTest(name=name, method=method):
                    body = BODIES[name]() if name in BODIES and method == "post" else {}
                    send = getattr(client, method)
                    response = send(self.url(name), headers=headers or {}, **body)
                    status = response.status_code
                    if status == 302:
                        self.assertIn(settings.LOGIN_URL, response["Location"].split("?")[0])
                        status = "login"
                    # 405 is answered before any lookup, alike for every id: nothing leaks.
                    self.assertIn(status, expected(name) | {405}, response.content[:300])
        self.assertEqual(snapshot(self.media_root), before, "a refused request changed data")

    def test_it_knows_every_object_url(self):
        unknown = [name for name, _ in object_urls() if name not in NEEDS]
        self.assertEqual(unknown, [], "add these URLs to NEEDS with the role they need")

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        web = lambda name: {API: {401}}.get(NEEDS[name][1], {404})  # noqa: E731
        self.assert_refused(self.client, web)

    def test_it_answers_404_to_another_teams_token(self):
        api = self.names(API)
        auth = {"Authorization": f"Bearer {self.bob_token}"}
        self.assert_refused(Client(), lambda name: {404}, auth, api)

    def test_it_answers_403_to_a_role_too_low(self):
        for user, role in ((self.viewer, Role.VIEWER), (self.trainer, Role.TRAINER)):
            above = [n for n in self.names("web") if ROLE_RANK[NEEDS[n][1]] > ROLE_RANK[role]]
            client = Client()
            client.force_login(user)
            self.assert_refused(client, lambda name: {403}, names=above)

    def test_it_sends_anonymous_users_to_log_in(self):
        expected = lambda name: {401} if NEEDS[name][1] == API else {"login"}  # noqa: E731
        self.assert_refused(Client(), expected)

    def test_it_never_takes_the_session_cookie_for_the_api(self):
        api = self.names(API)
        self.client.force_login(self.alice)
        self.assert_refused(self.client, lambda name: {401}, names=api)

    def test_it_never_takes_a_token_on_web_pages(self):
        web = self.names("web")
        auth = {"Authorization": f"Bearer {self.objects.secret}"}
        self.assert_refused(Client(), lambda name: {"login"}, auth, web)

    def test_it_answers_404_to_unknown_ids(self):
        self.client.force_login(self.alice)
        for name in self.names("web"):
            with self.subTest(name=name):
                response = self.client.get(self.url(name, uuid.uuid4()))
                self.assertIn(response.status_code, (404, 405))
