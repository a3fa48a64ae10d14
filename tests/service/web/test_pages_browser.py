"""The pages in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

One app serves the module on a free port (SQLite store, fake encoder). The
tests sign in and out as each role, open every page and run axe-core on it
(no serious or critical finding, WCAG 2.1 AA), walk a consultant's whole
flow with the keyboard alone, upload a bad file, and try the role
boundaries by URL. ``IPSMATCH_SCREENSHOT=PATH`` saves the suggestions page
as a PNG (the README's picture is made so).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from conftest import CATALOGUE, HEALTH_MARKER, TODAY, USERS, add_users, candidate, opening
from fakes import FakeEncoder

from matcher.encoders import CachedEncoder
from service.app import create_app
from service.settings import Settings

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = Path(os.environ.get("IPSMATCH_CHROMIUM", "/usr/bin/chromium"))
# Planted in a profile's own field: the contract keeps it; an analyst must never see it.
PERSON_NAME = "Karen Mortensen-Bøgh"
WANTS = {"dyr": "dyrepasser", "lager": "lagermedarbejder", "kok": "køkkenmedhjælper"}
PLACES = [
    {"postcode": "2200", "lat": 55.6953, "lon": 12.5468},
    {"postcode": "2650", "lat": 55.6416, "lon": 12.4805},
    {"postcode": "4000", "lat": 55.6415, "lon": 12.0803},
]


@dataclass
class Site:
    url: str
    tokens: dict[str, str]
    app: Any

    def api(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _history(site: Site) -> None:
    """Openings, bo's people with health and a name, and their placements for evaluations."""
    openings = [
        opening(
            f"o-{field}-{n}",
            title.capitalize(),
            f"Arbejde som {title}.",
            employer_id=f"e-{field}-{n}",
            employer_name=f"{title.capitalize()} nr. {n}",
            location=PLACES[n],
        )
        for field, title in WANTS.items()
        for n in range(3)
    ]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*CATALOGUE, *openings])
    files = {"file": ("openings.jsonl", body.encode())}
    # Uploads are indexed in the background (202): wait until this one is done.
    accepted = site.api("jens", "POST", "/openings/bulk", files=files)
    assert accepted.status_code == 202, accepted.text
    deadline = time.monotonic() + 60
    while site.api("jens", "GET", f"/uploads/{accepted.json()['upload_id']}").json()[
        "status"
    ] not in ("done", "failed"):
        assert time.monotonic() < deadline, "the upload did not finish"
        time.sleep(0.05)
    for i, (field, title) in enumerate([*WANTS.items(), *WANTS.items()]):
        person = candidate(f"c-bo-{i}", [title], health={"note": HEALTH_MARKER}, name=PERSON_NAME)
        assert site.api("bo", "POST", "/candidates", json=person).status_code == 201
        for stage, days_ago in (("contacted", 120 - 15 * i), ("hired", 110 - 15 * i)):
            event = {
                "candidate_id": f"c-bo-{i}",
                "opening_id": f"o-{field}-{i % 3}",
                "stage": stage,
                "date": (TODAY - timedelta(days=days_ago)).isoformat(),
            }
            assert site.api("bo", "POST", "/placements", json=event).status_code == 201


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web")
    settings = Settings(
        data_dir=folder / "data",
        cache_dir=folder / "cache",
        database_url=f"sqlite:///{folder / 'ipsmatch.db'}",
    )
    app = create_app(settings, encoder=CachedEncoder(FakeEncoder()))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start for the browser tests", pytrace=False)
        time.sleep(0.05)
    try:
        tokens = add_users(app.state.services.database, USERS)
        found = Site(f"http://127.0.0.1:{port}", tokens, app)
        _history(found)
        yield found
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium), "
            "as .ci/run does, or set IPSMATCH_CHROMIUM",
            pytrace=False,
        )
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def sign_in(page: Any, site: Site, who: str) -> None:
    page.goto("/web/sign-in")
    page.fill("#token", site.tokens[who])
    page.click("button[type=submit]:has-text('Log ind')")
    page.wait_for_selector("[data-testid=who]")


def axe_findings(page: Any) -> list[str]:
    results = axe_module.Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def tab_to(page: Any, predicate: str, presses: int = 80) -> None:
    """Press Tab until the focused element satisfies the JS `predicate` on `el` (else fail)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"
        ):
            return
    pytest.fail(f"no element with {predicate} is reachable with Tab on {page.url}")


@pytest.mark.parametrize(
    ("who", "home", "role"),
    [
        ("anna", "/web/caseload", "Konsulent"),
        ("jens", "/web/openings", "Jobudvikler"),
        ("ida", "/web/evaluations", "Analytiker"),
        ("root", "/web/users", "Administrator"),
    ],
)
def test_each_role_signs_in_and_out(page: Any, site: Site, who: str, home: str, role: str) -> None:
    sign_in(page, site, who)
    assert page.url == site.url + home
    assert page.inner_text("[data-testid=who]") == f"Logget ind som {who} ({role})"
    cookie = next(c for c in page.context.cookies() if c["name"] == "ipsmatch_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    page.click("button:has-text('Log ud')")
    page.wait_for_selector("text=Du er logget ud.")
    page.goto(home)
    assert page.url.startswith(site.url + "/web/sign-in")


PAGES = {
    "anna": [
        "/web/caseload",
        "/web/candidates/new",
        "/web/candidates/c-anna",
        "/web/candidates/c-anna/edit",
        "/web/candidates/c-anna/suggestions",
        "/web/candidates/c-anna/employers",
        "/web/alerts",
        "/web/alerts?show=all",
        "/web/employers/e-dyr/contacts",
    ],
    "jens": [
        "/web/openings",
        "/web/openings?expired=all&page=1",
        "/web/openings/new",
        "/web/openings/o-dyr",
        "/web/openings/upload",
        "/web/employers",
        "/web/employers/e-dyr",
        "/web/employers/e-dyr/contacts",
    ],
    "ida": ["/web/evaluations", "/web/exports", "/web/ips-figures"],
    "root": ["/web/users", "/web/audit", "/web/no-such-page"],
}


def test_every_page_renders_with_no_serious_accessibility_finding(page: Any, site: Site) -> None:
    person = candidate("c-anna", ["dyrepasser"], health={"note": HEALTH_MARKER}, disclosure="yes")
    response = site.api("anna", "PUT", "/candidates/c-anna", json=person)
    assert response.status_code in (200, 201)
    page.goto("/web/sign-in")
    findings = axe_findings(page)
    for who, urls in PAGES.items():
        sign_in(page, site, who)
        for url in urls:
            answer = page.goto(url)
            expected = 404 if "no-such-page" in url else 200
            assert answer.status == expected, f"{url}: {answer.status}"
            assert page.locator("h1").count() == 1, url
            findings += axe_findings(page)
        page.click("button:has-text('Log ud')")
        page.wait_for_selector("text=Du er logget ud.")
    assert findings == []


def test_a_consultants_whole_flow_with_the_keyboard_alone(page: Any, site: Site) -> None:
    page.goto("/web/sign-in")
    tab_to(page, "el.id === 'token'")
    page.keyboard.type(site.tokens["anna"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/caseload")

    tab_to(page, "el.textContent.trim() === 'Ny profil'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/candidates/new")
    for field, text in (
        ("id", "c-keyboard"),
        ("desired", "dyrepasser"),
        ("avoid", "nattevagter"),
        ("hours_max", "20"),
        ("postcode", "2400"),
        ("lat", "55.713"),
        ("lon", "12.529"),
        ("health", HEALTH_MARKER),
    ):
        tab_to(page, f"el.id === '{field}'")
        page.keyboard.type(text)
    tab_to(page, "el.textContent.trim() === 'Gem profil'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/candidates/c-keyboard?saved=1")
    assert "Profilen er gemt." in page.inner_text("main")

    tab_to(page, "el.textContent.trim() === 'Forslag'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/candidates/c-keyboard/suggestions")
    first = page.locator("article.suggestion h3").first.inner_text()
    assert first.startswith("1. Dyrepasser")
    # Place and distance from home (2400 to 2200 is about 2.3 km).
    assert "Sted: 2200 · 2,3 km" in page.inner_text("main")
    assert page.locator("#breaking-heading").inner_text() == "Opslag, der bryder et ønske"
    assert "Timetal uden for det ønskede" in page.inner_text("#breaking-heading + article")
    assert axe_findings(page) == []
    screenshot = os.environ.get("IPSMATCH_SCREENSHOT")
    if screenshot:
        page.screenshot(path=screenshot, full_page=False)

    # The first suggestion's "Interview" button: the first one Tab reaches.
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Samtale'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/candidates/c-keyboard?recorded=interview*")
    timeline = page.inner_text("[data-testid=timeline]")
    assert "Samtale: Dyrepasser, Dyreklinikken" in timeline


def test_an_upload_with_a_bad_row_shows_the_error_table_and_stores_nothing(
    page: Any, site: Site
) -> None:
    before = site.api("jens", "GET", "/openings?limit=1000").json()
    sign_in(page, site, "jens")
    page.goto("/web/openings/upload")
    rows = [
        opening("o-ny-1", "Gartner", "Pasning af haver."),
        {**opening("o-ny-2", "Pedel"), "hours_per_week": {"min": "mange"}},
        opening("o-ny-3", ""),
    ]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    page.set_input_files(
        "#file", files=[{"name": "ny.jsonl", "mimeType": "application/x-ndjson", "buffer": body}]
    )
    page.click("button:has-text('Indlæs')")
    page.wait_for_selector("[data-testid=problem-table]")
    cells = [
        [cell.inner_text() for cell in row.locator("td").all()]
        for row in page.locator("[data-testid=problem-table] tbody tr").all()
    ]
    assert [c[:3] for c in cells] == [
        ["2", "o-ny-2", "hours_per_week.min"],
        ["3", "o-ny-3", "title"],
    ]
    assert "Intet blev gemt" in page.inner_text("[data-testid=upload-problems]")
    assert axe_findings(page) == []
    assert site.api("jens", "GET", "/openings?limit=1000").json() == before


def test_a_consultant_cannot_open_another_consultants_person_by_url(page: Any, site: Site) -> None:
    sign_in(page, site, "anna")
    for suffix in ("", "/edit", "/suggestions", "/employers"):
        answer = page.goto(f"/web/candidates/c-bo-0{suffix}")
        assert answer.status == 404, suffix
        text = page.inner_text("main")
        assert HEALTH_MARKER not in text and PERSON_NAME not in text
        assert "Ikke fundet" in text


def test_an_analyst_runs_an_evaluation_and_never_sees_a_name_or_health(
    page: Any, site: Site
) -> None:
    sign_in(page, site, "ida")
    page.goto("/web/evaluations")
    page.fill("#cutoff", (TODAY - timedelta(days=60)).isoformat())
    page.fill("#resamples", "10")
    page.fill("#permutations", "10")
    page.click("button:has-text('Start evaluering')")
    page.wait_for_url("**/web/evaluations/*")
    # The page reloads itself while the evaluation runs.
    status = page.locator("[data-testid=evaluation-status]")
    status.filter(has_text="Kører").wait_for(state="detached", timeout=300_000)
    assert status.inner_text() == "Færdig", page.inner_text("main")
    assert page.locator("iframe.report").count() == 1
    assert axe_findings(page) == []
    seen = [page.content()]
    report = page.request.get(page.url + "/report")
    assert report.status == 200
    seen.append(report.text())
    page.goto("/web/exports")
    for name in ("candidates.jsonl", "placements.csv", "openings.jsonl"):
        download = page.request.get(f"/web/exports/{name}")
        assert download.status == 200, name
        seen.append(download.text())
    assert "c-bo-0" not in seen[3]  # candidates appear by pseudonym only
    for text in seen:
        assert HEALTH_MARKER not in text and PERSON_NAME not in text
    assert page.goto("/web/candidates/c-bo-0").status == 403


def test_a_form_post_without_the_anti_forgery_token_is_refused(page: Any, site: Site) -> None:
    sign_in(page, site, "anna")
    forged = page.request.post(
        "/web/candidates/new", form={"id": "c-forged", "desired": "dyrepasser"}
    )
    assert forged.status == 403
    assert site.api("anna", "GET", "/candidates/c-forged").status_code == 404
