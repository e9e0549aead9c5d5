"""The model page's curl line names the API token as the README and the API docs do."""

import html
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model

README = Path(settings.BASE_DIR) / "README.md"


class CurlTokenTestCase(BaseTestCase):
    def test_it_uses_the_readmes_token_variable(self):
        variable = re.search(r"^export (\w+)=lt_", README.read_text(), re.M)[1]
        model = finished_model(self.alice_team, self.alice)
        self.client.force_login(self.alice)
        page = self.client.get(reverse("catalog:detail", args=[model.uuid])).content.decode()
        curl = html.unescape(
            re.search(r'<pre class="copy" id="curl-example">(.*?)</pre>', page, re.S)[1]
        )
        self.assertIn(f'-H "Authorization: Bearer ${variable}"', curl)
        docs = self.client.get(reverse("api_docs")).content.decode()
        self.assertIn(f"Bearer ${variable}", html.unescape(docs))
