"""In Chromium, with two people at once: Ann creates a team, invites Ben, trains and publishes
a model; Ben signs up through the invitation, tries the model and scores a spreadsheet; Mal,
in another team, gets 404 on every one of those pages.

Run with: .venv/bin/pytest tests/e2e/test_e2e_team_sharing.py -m e2e
"""

import json
import os
import re
import subprocess
import urllib.request

import pytest

from tests.e2e.appserver import BASE_DIR
from tests.e2e.conftest import (
    check_data,
    sign_up,
    sign_up_and_join,
    snap,
    start_tiny_training,
    upload,
    wait_until_finished,
)
from tests.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
UUID = r"[0-9a-f-]{36}"


def readme_api_block() -> str:
    text = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## API\n", 1)[1]
    return section.split("```bash\n", 1)[1].split("\n```", 1)[0]


def readme_curls_work(app, token: str, model: str, reviews_csv) -> None:
    """Run each curl of the README's API section, in order, with its own variables set."""
    env = os.environ | {"LABELTUNE": app.url("/").rstrip("/"), "TOKEN": token, "MODEL": model}
    script = readme_api_block().replace("\\\n", " ")
    answers = []
    for line in script.splitlines():
        line = line.strip()
        if not line.startswith("curl"):
            continue
        if "/download" in line:  # wait for the batch the previous calls started
            wait_for_batch(env)
        done = subprocess.run(
            ["bash", "-c", line], env=env, cwd=reviews_csv.parent, capture_output=True,
            text=True, timeout=60, check=True,
        )  # fmt: skip
        answers.append(done.stdout)
        if "/batches -H" in line or line.endswith("-F file=@reviews.csv"):
            env["BATCH"] = json.loads(done.stdout)["uuid"]
    models, predicted, batch = (json.loads(a) for a in answers[:3])
    assert model in [m["uuid"] for m in models]
    assert [p["label"] for p in predicted["predictions"]] == ["positive", "negative"], predicted
    assert batch["status"] in ("queued", "running", "finished"), batch
    scored = (reviews_csv.parent / "scored.csv").read_text(encoding="utf-8-sig")
    assert scored.splitlines()[0].startswith("review,sentiment,"), scored[:200]
    assert len(scored.splitlines()) == 121


def wait_for_batch(env: dict) -> None:
    url = f"{env['LABELTUNE']}/api/v1/batches/{env['BATCH']}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {env['TOKEN']}"})

    def finished() -> bool:
        with urllib.request.urlopen(request) as response:
            return json.load(response)["status"] == "finished"

    wait_until(finished, 120, "the batch started through the API to finish", every=1)


def test_it_shares_a_model_with_an_invited_teammate(app, visitor, reviews_csv):
    ann_visit, ben_visit = visitor(), visitor()
    ann, ben = ann_visit.page, ben_visit.page
    urls = {}

    # 1. Ann creates the team "Support" and, asked on its page, switches to it.
    sign_up(ann, app, "ann")
    ann.goto(app.url("/teams/"))
    ann.fill("#id_name", "Support")
    ann.get_by_role("button", name="Create team").click()
    ann.wait_for_url(re.compile(rf"/teams/{UUID}/$"))
    urls["team"] = ann.url
    ann.get_by_role("button", name="Switch to Support").click()
    ann.wait_for_url(urls["team"])
    assert ann.locator("#team-switch option:checked").inner_text() == "Support"

    # 2. She invites Ben as a viewer and copies the link shown to her.
    ann.fill("#id_email", "ben@example.org")
    ann.select_option("#id_role", "viewer")
    ann.get_by_role("button", name="Invite", exact=True).click()
    link = ann.locator("#invitation-link").inner_text().strip()
    snap(ann, "sharing-01-invited")

    # 3. She trains a model in the team and publishes it.
    upload(ann, app, reviews_csv)
    check_data(ann)
    start_tiny_training(ann, "Shared reviews")
    urls["run"] = ann.url
    wait_until_finished(ann)
    ann.get_by_role("link", name="Try the model").click()
    ann.wait_for_url(re.compile(rf"/models/{UUID}/$"))
    urls["model"] = ann.url
    ann.fill("#id_name", "Review sentiment")
    ann.fill("#id_description", "Tells happy reviews from unhappy ones.")
    ann.get_by_role("button", name="Publish", exact=True).click()
    assert "Published" in ann.locator("#sharing").inner_text()
    assert "/api/v1/models/" in ann.locator("#curl-example").inner_text()

    # 3b. She makes an API token; the README's curl calls work as written against the app.
    ann.goto(app.url(f"/teams/{urls['team'].rstrip('/').rsplit('/', 1)[-1]}/tokens/"))
    ann.fill("#id_name", "README check")
    ann.get_by_role("button", name="Create token").click()
    token = ann.locator("#new-token").inner_text().strip()
    model_uuid = urls["model"].rstrip("/").rsplit("/", 1)[-1]
    readme_curls_work(app, token, model_uuid, reviews_csv)

    # 4. Ben opens the link, signs up on the way and joins.
    sign_up_and_join(ben, link, "ben")
    ben.wait_for_url(urls["team"])
    assert "ben (you)" in ben.locator("main").inner_text()

    # 5. He finds the published model, tries it and scores a spreadsheet.
    ben.goto(app.url("/models/"))
    ben.get_by_role("link", name="Review sentiment").click()
    ben.fill("#try textarea", "the film was great")
    ben.get_by_role("button", name="Label this text").click()
    answer = ben.locator("#try-result")
    answer.locator("*").first.wait_for()
    assert "positive" in answer.inner_text(), answer.inner_text()
    assert answer.locator(".problem").count() == 0, answer.inner_text()
    ben.set_input_files("#batches input[type=file]", str(reviews_csv))
    ben.get_by_role("button", name="Upload and label").click()
    done = ben.locator("#batches .batch .badge.finished")
    done.wait_for(timeout=120_000)
    download = ben.locator("#batches .batch a", has_text="Download")
    urls["batch"] = download.get_attribute("href")
    snap(ben, "sharing-02-teammate-scored")
    # A viewer sees no publish form and cannot upload data.
    assert ben.get_by_role("button", name="Publish", exact=True).count() == 0
    assert ben.request.get(app.url("/data/upload/")).status == 403  # no console noise

    # 6. Mal, in another team, gets 404 on every one of those pages.
    mal = visitor().page
    sign_up(mal, app, "mal")
    for name, url in urls.items():
        response = mal.goto(url if url.startswith("http") else app.url(url))
        assert response.status == 404, f"{name} answered {response.status} to another team"

    ann_visit.assert_clean()
    ben_visit.assert_clean()
