"""A browser-like test client of the pages: signs in through the form, posts forms with
their anti-forgery token, as a user of `conftest.USERS`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def sign_in(client: TestClient, token: str) -> Response:
    form = client.get("/web/sign-in")
    match = FORM_TOKEN.search(form.text)
    assert match is not None, form.text
    return client.post(
        "/web/sign-in",
        data={"token": token, "form_token": match.group(1), "next": ""},
        follow_redirects=False,
    )


@dataclass
class Pages:
    client: TestClient

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.client.get(url, **kwargs)

    def csrf(self, url: str = "/web/") -> str:
        page = self.client.get(url)
        match = CSRF.search(page.text)
        assert match is not None, f"no csrf_token on {url}: {page.status_code}"
        return match.group(1)

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> Response:
        form = {"csrf_token": self.csrf(), **data}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)


def pages_for(client: TestClient, token: str) -> Pages:
    """Signs `client` in with `token` (the client keeps the session cookie)."""
    response = sign_in(client, token)
    assert response.status_code == 303, response.text
    return Pages(client)
