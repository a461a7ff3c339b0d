"""End to end in Debian's Chromium (Playwright) over the tiny synthetic set's snapshot.

An analyst logs in, searches a planted serial offender by a nickname only some of his
records carry, opens his profile and sees records from every force that holds him, records a
decision; a supervisor of the same organisation then finds the search, the view and the
decision in the audit log. The profile page's screenshot is checked to have rendered.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from PIL import Image, ImageStat

from toex.ops import open_store

from .conftest import PASSWORD, Users, make_app
from .tiny_support import Planted, planted_persons

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make system-deps)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tiny_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the tiny snapshot, served by uvicorn on a free loopback port."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'ops.sqlite'}")
    users = Users(store)
    forces = [
        "asw",
        "cambs",
        "essex",
        "gmp",
        "lancs",
        "leics",
        "norfolk",
        "northants",
        "staffs",
        "wmp",
    ]
    users.org("toex-regional", forces, "regional")
    users.user("analyst", "analyst", "toex-regional")
    users.user("supervisor", "supervisor", "toex-regional")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            make_app(store, tiny_snapshot), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    store.dispose()


@pytest.fixture(scope="module")
def offender(tiny_synth: Path, tiny_snapshot: Path) -> Planted:
    """The planted serial offender spanning most forces who has nickname records."""
    planted = planted_persons(tiny_synth, tiny_snapshot)
    serials = [p for p in planted.values() if p.scenario_id.startswith("SERIAL") and p.nicknames]
    return max(serials, key=lambda p: (len(p.forces), p.scenario_id))


def _login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(f"{base}/")


def test_search_profile_decision_and_audit(served: str, offender: Planted, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    nickname = max(offender.nicknames, key=lambda n: offender.forenames[n])
    assert offender.forenames[nickname] < sum(offender.forenames.values())  # not all carry it
    query = f"{nickname.title()} {offender.surname.title()}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _login(page, served, "analyst")

        page.goto(f"{served}/search")
        page.fill("#purpose", "Operation Browser: serial offender review")
        page.fill("#name", query)
        page.click("#search-button")
        hit = page.locator(f'tr.hit[data-person="{offender.person_id}"] a.person-link')
        expect(hit).to_be_visible()
        hit.click()
        page.wait_for_url(f"{served}/person/{offender.person_id}")

        expect(page.locator("#person-name")).to_be_visible()
        for force in offender.forces:
            expect(page.locator(f'tr.mention[data-force="{force}"]').first).to_be_visible()
        assert page.locator("tr.mention").count() == sum(offender.forenames.values())
        expect(page.locator("#marking-top")).to_be_visible()
        expect(page.locator("#snapshot-date")).not_to_be_empty()
        expect(page.locator("svg.network-chart")).to_be_visible()
        shot = tmp_path / "profile.png"
        png = page.screenshot(path=str(shot), full_page=True)
        image = Image.open(io.BytesIO(png)).convert("L")
        assert image.size[0] >= 1400 and image.size[1] >= 1000
        assert ImageStat.Stat(image).stddev[0] > 20  # not blank: text, tables, chart

        mentions = page.locator("tr.mention").evaluate_all(
            "rows => rows.map(r => r.dataset.mention)"
        )
        page.select_option("#mention_a", mentions[0])
        page.fill("#mention_b", mentions[1])
        page.select_option("#same", "same")
        page.fill("#reason", "Same DOB and phone; nickname of the same forename")
        page.click("#decision-button")
        page.wait_for_url(f"{served}/person/{offender.person_id}#decisions")
        expect(page.locator("#decision-list")).to_contain_text("nickname of the same forename")

        page.context.clear_cookies()
        _login(page, served, "supervisor")
        page.goto(f"{served}/audit?username=analyst")
        entries = page.locator("#audit-entries")
        expect(entries).to_contain_text("Operation Browser: serial offender review")
        actions = page.locator("tr.audit-entry").evaluate_all(
            "rows => rows.map(r => r.dataset.action)"
        )
        assert {"login", "search", "view", "decision"} <= set(actions)
        expect(entries).to_contain_text(f"person {offender.person_id}")
        expect(entries).to_contain_text(f"name={query}")
        assert errors == []
        browser.close()
