"""Alerts with the real encoder: the 0.6 preference-fit bar lets a paraphrased wish through,
and not a job of another field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import USERS, Api, add_users, candidate, opening
from fastapi.testclient import TestClient

from matcher.encoders import CachedEncoder
from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def real_api(settings: Settings, e5_encoder: CachedEncoder) -> Iterator[Api]:
    with TestClient(create_app(settings, encoder=e5_encoder)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        yield Api(client, add_users(services.database, USERS))


def test_a_paraphrased_wish_alerts_and_another_field_does_not(real_api: Api) -> None:
    real_api.upload([opening("o-lager", "Lagermedarbejder", "Pluk og pak af varer.")])
    real_api.post("anna", "/candidates", json=candidate("c-1", ["noget med dyr"]))
    assert real_api.get("anna", "/alerts").json() == []
    new = [
        opening("o-dyr", "Dyrepasser-medhjælper", "Fodring og pasning af hunde og katte."),
        opening("o-it", "IT-supporter", "Hjælp til brugere med pc og printere."),
    ]
    assert real_api.upload(new).status_code == 202
    alerts = real_api.get("anna", "/alerts").json()
    assert [a["opening_id"] for a in alerts] == ["o-dyr"]
