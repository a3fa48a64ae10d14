"""The alerts inbox, the employer page and the IPS figures page through a test client:
role boundaries, anti-forgery, and that each page shows what the API stored."""

from __future__ import annotations

from datetime import timedelta

from conftest import TODAY, Api, candidate, opening
from conftest import employer_contact as contact
from fastapi.testclient import TestClient
from pages_client import pages_for

from service.web.labels import CHANNELS, OUTCOMES, labels


def _client(api: Api) -> TestClient:
    return TestClient(api.client.app)


def _fitting_alert(stocked: Api) -> None:
    """One new alert in anna's inbox: a part-time animal keeper and a new fitting opening."""
    record = candidate("c-1", ["dyrepasser"])
    record["preferences"]["hours_per_week"] = {"min": 10, "max": 20}
    assert stocked.post("anna", "/candidates", json=record).status_code == 201
    assert stocked.get("anna", "/alerts").json() == []
    new = opening("o-dyr-2", "Dyrepasser", "Pasning af hunde.", employer_id="e-dyr2")
    assert stocked.upload([new]).status_code == 202


def test_the_inbox_lists_an_alert_with_reasons_and_dismissing_removes_it(stocked: Api) -> None:
    _fitting_alert(stocked)
    anna = pages_for(_client(stocked), stocked.tokens["anna"])
    page = anna.get("/web/alerts")
    assert page.status_code == 200
    assert 'href="/web/alerts" aria-current="page">Indbakke' in page.text
    assert page.text.count('data-testid="alert"') == 1
    assert "o-dyr-2" in page.text and "c-1" in page.text
    # The stored English reasons, read back and shown in Danish.
    reasons = stocked.get("anna", "/alerts").json()[0]["reasons"]
    assert "matches 'dyrepasser'" in reasons
    assert "<li>passer til &#39;dyrepasser&#39;</li>" in page.text
    assert not any(reason.replace("'", "&#39;") in page.text for reason in reasons)
    assert '<li lang="en">' not in page.text
    alert_id = stocked.get("anna", "/alerts?show=all").json()[0]["id"]
    done = anna.post(f"/web/alerts/{alert_id}/dismiss", {})
    assert done.status_code == 303 and done.headers["location"] == "/web/alerts"
    assert 'data-testid="alert"' not in anna.get("/web/alerts").text
    assert [a["status"] for a in stocked.get("anna", "/alerts?show=all").json()] == ["dismissed"]
    everything = anna.get("/web/alerts?show=all").text
    assert everything.count('data-testid="alert"') == 1 and "Afvist" in everything


def test_hiding_from_the_inbox_and_another_consultants_alert_is_not_found(stocked: Api) -> None:
    _fitting_alert(stocked)
    anna = pages_for(_client(stocked), stocked.tokens["anna"])
    assert anna.get("/web/alerts").status_code == 200
    alert_id = stocked.get("anna", "/alerts?show=all").json()[0]["id"]
    bo = pages_for(_client(stocked), stocked.tokens["bo"])
    assert 'data-testid="alert"' not in bo.get("/web/alerts").text
    assert bo.post(f"/web/alerts/{alert_id}/hide", {}).status_code == 404
    assert anna.post(f"/web/alerts/{alert_id}/hide", {}).status_code == 303
    assert [a["status"] for a in stocked.get("anna", "/alerts?show=all").json()] == ["hidden"]


def test_an_alert_post_without_the_anti_forgery_token_is_refused(stocked: Api) -> None:
    _fitting_alert(stocked)
    client = _client(stocked)
    anna = pages_for(client, stocked.tokens["anna"])
    anna.get("/web/alerts")
    alert_id = stocked.get("anna", "/alerts?show=all").json()[0]["id"]
    forged = client.post(f"/web/alerts/{alert_id}/dismiss", data={}, follow_redirects=False)
    assert forged.status_code == 403 and "csrf_token" in forged.text
    assert [a["status"] for a in stocked.get("anna", "/alerts?show=all").json()] == ["new"]


def test_a_contact_recorded_by_the_form_shows_on_the_employer_page(stocked: Api) -> None:
    jens = pages_for(_client(stocked), stocked.tokens["jens"])
    earlier = (TODAY - timedelta(days=40)).isoformat()
    stocked.post("jens", "/employer-contacts", json=contact(date=earlier, outcome="no_need_now"))
    made = jens.post(
        "/web/employers/e-dyr/contacts",
        {
            "date": TODAY.isoformat(),
            "channel": "phone",
            "outcome": "open_to_trial",
            "note": "NOTE-7731",
        },
    )
    assert made.status_code == 303, made.text
    page = jens.get(made.headers["location"])
    assert page.status_code == 200
    rows = page.text.split('data-testid="contact"')[1:]
    # Newest first, channel and outcome in Danish.
    assert len(rows) == 2
    assert "Telefon" in rows[0] and "Åben for en praktik" in rows[0] and "NOTE-7731" in rows[0]
    assert "Ikke behov nu" in rows[1]
    stored = stocked.get("jens", "/employers/e-dyr/contacts").json()["contacts"]
    assert [c["outcome"] for c in stored] == ["open_to_trial", "no_need_now"]
    # A job developer names nobody: the form has no candidate field.
    assert 'name="candidate_id"' not in page.text


def test_a_refused_disclosure_shows_the_apis_message_and_stores_nothing(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-no", disclosure="no"))
    stocked.post("anna", "/candidates", json=candidate("c-yes", disclosure="yes"))
    anna = pages_for(_client(stocked), stocked.tokens["anna"])
    form = anna.get("/web/employers/e-dyr/contacts").text
    assert '<option value="c-no"' in form and '<option value="c-yes"' in form
    fields = {"date": TODAY.isoformat(), "channel": "visit", "outcome": "call_back"}
    refused = anna.post("/web/employers/e-dyr/contacts", {**fields, "candidate_id": "c-no"})
    assert refused.status_code == 409
    assert "candidate &#39;c-no&#39; has disclosure &#39;no&#39;" in refused.text
    assert stocked.get("anna", "/employer-contacts").json() == []
    made = anna.post("/web/employers/e-dyr/contacts", {**fields, "candidate_id": "c-yes"})
    assert made.status_code == 303
    assert [c["candidate_id"] for c in stocked.get("anna", "/employer-contacts").json()] == [
        "c-yes"
    ]
    # Another consultant sees the contact was for someone, not for whom.
    bo = pages_for(_client(stocked), stocked.tokens["bo"])
    seen = bo.get("/web/employers/e-dyr/contacts").text
    assert "c-yes" not in seen and "en person på en anden sagsstamme" in seen
    mine_only = bo.post("/web/employers/e-dyr/contacts", {**fields, "candidate_id": "c-yes"})
    assert mine_only.status_code == 404


def test_a_bad_contact_form_names_the_field_and_a_forged_one_is_refused(stocked: Api) -> None:
    client = _client(stocked)
    anna = pages_for(client, stocked.tokens["anna"])
    bad = anna.post(
        "/web/employers/e-dyr/contacts",
        {"date": TODAY.isoformat(), "channel": "fax", "outcome": "call_back"},
    )
    assert bad.status_code == 422 and "channel" in bad.text
    forged = client.post(
        "/web/employers/e-dyr/contacts",
        data={"date": TODAY.isoformat(), "channel": "visit", "outcome": "call_back"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert stocked.get("anna", "/employer-contacts").json() == []


def test_the_ips_figures_page_and_its_plot_are_for_analysts(stocked: Api) -> None:
    stocked.post("anna", "/candidates", json=candidate("c-yes", disclosure="yes"))
    stocked.post("anna", "/employer-contacts", json=contact(candidate_id="c-yes"))
    ida = pages_for(_client(stocked), stocked.tokens["ida"])
    page = ida.get("/web/ips-figures")
    assert page.status_code == 200
    assert 'data-testid="ips-figures"' in page.text and "IPS-tal" in page.text
    # One person started: every per-person cell is under the smallest cell, shown as "–".
    assert "–</span>" in page.text and "c-yes" not in page.text
    plot = ida.get("/web/ips-figures/plot.png")
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
    assert plot.content.startswith(b"\x89PNG")
    assert ida.get("/web/ips-figures?until=not-a-day").status_code == 422
    assert ida.get("/web/employers/e-dyr/contacts").status_code == 403
    assert ida.get("/web/alerts").status_code == 403


def test_other_roles_are_refused_and_the_menu_hides_what_they_cannot_open(api: Api) -> None:
    for who in ("anna", "jens", "root"):
        pages = pages_for(_client(api), api.tokens[who])
        assert pages.get("/web/ips-figures").status_code == 403, who
        assert pages.get("/web/ips-figures/plot.png").status_code == 403, who
        assert "/web/ips-figures" not in pages.get("/web/").text, who
    for who in ("jens", "root"):
        pages = pages_for(_client(api), api.tokens[who])
        assert pages.get("/web/alerts").status_code == 403, who
    root = pages_for(_client(api), api.tokens["root"])
    assert root.get("/web/employers/e-dyr/contacts").status_code == 403
    signed_out = _client(api).get("/web/alerts", follow_redirects=False)
    assert signed_out.status_code == 303


def test_every_channel_and_outcome_has_a_danish_word() -> None:
    from matcher.vocabularies import CHANNELS as channel_codes
    from matcher.vocabularies import OUTCOMES as outcome_codes

    assert set(CHANNELS) == set(channel_codes) and set(OUTCOMES) == set(outcome_codes)
    danish = labels("da")
    for code in channel_codes:
        assert danish.channel(code) != CHANNELS[code], code
    for code in outcome_codes:
        assert danish.outcome(code) != OUTCOMES[code], code
