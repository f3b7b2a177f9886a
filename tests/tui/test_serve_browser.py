"""`dynotui serve` in a real browser: Debian's Chromium driven by Playwright.

A page on another origin must get nothing; the printed address (with its token) must give a
working workbench whose keys act without a click, deciding as the annotator the address names;
the page must ask nothing of any other site; SIGTERM must stop everything at once.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from servekit import Served, alive, child_pids
from tuikit import seed_workspace

CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.timeout(180),
]
playwright_api = pytest.importorskip("playwright.sync_api")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=FLAGS, viewport={"width": 1100, "height": 700})
        yield context
        context.close()


@pytest.fixture
def served(tmp_path):
    workspace = tmp_path / "ws"
    props = seed_workspace(workspace, annotator="seed")
    server = Served(workspace)
    yield server, props
    server.stop()
    shutil.rmtree(workspace, ignore_errors=True)


def decisions(workspace: Path) -> list:
    from dynotui.core.store import Store

    with Store(workspace, annotator="checker") as store:
        return [e for e in store.events() if e.annotator != "seed"]


class Terminal:
    """What the workbench wrote to the browser (the WebSocket's frames), as text."""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    @property
    def text(self) -> str:
        return b"".join(self.frames).decode("utf-8", "replace")


def wait_until(page, predicate, timeout: float = 40.0) -> bool:
    """Poll `predicate`, letting Playwright deliver its events meanwhile (time.sleep would
    not: the sync API handles events only inside its own calls)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        page.wait_for_timeout(100)
    return False


def test_the_printed_address_opens_a_workbench_whose_keys_work_without_a_click(
        served, browser, tmp_path):
    server, props = served
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    terminal = Terminal(page)
    try:
        # When I open the printed address, naming myself alice
        answer = page.goto(server.url + "&annotator=alice")
        assert answer.status == 200
        # Then the workbench draws its review screen (the first proposal's instruction)
        assert wait_until(page, lambda: "Decide whether the review" in terminal.text), \
            terminal.text[-500:]
        page.wait_for_function("document.body.classList.contains('-first-byte')")
        # And the token left the address bar (a cookie holds it now)
        assert "token=" not in page.url and "annotator=alice" in page.url
        # And the terminal has the keyboard without my clicking it
        assert page.evaluate("document.activeElement.classList.contains("
                             "'xterm-helper-textarea')")
        # When I press a (no click anywhere first)
        page.keyboard.press("a")
        # Then an accept by alice lands in the store, on the proposal shown
        assert wait_until(page, lambda: decisions(server.workspace), timeout=20)
        [event] = decisions(server.workspace)
        assert (event.annotator, event.action, event.proposal) == ("alice", "accept",
                                                                    props[0].id)
        # And the workbench moved on to the next proposal
        assert wait_until(page, lambda: "Is this movie review positive" in terminal.text, 10)
        page.screenshot(path=str(tmp_path / "serve.png"))
        # And a reload works on the cookie alone (no token in the address any more)
        terminal.frames.clear()
        assert page.reload().status == 200
        assert wait_until(page, lambda: "Is this movie review positive" in terminal.text)
        # And no request ever left this server
        assert requests
        here = (server.base + "/", f"ws://127.0.0.1:{server.port}/")
        assert [u for u in requests if not u.startswith(here)] == []
        assert any("/static/js/textual.js" in u for u in requests)
    finally:
        page.close()


def test_an_unnamed_session_asks_who_decides(served, browser):
    server, props = served
    page = browser.new_page()
    terminal = Terminal(page)
    try:
        # When I open the address without naming myself
        page.goto(server.url)
        # Then the workbench asks who is deciding, and I answer bob
        assert wait_until(page, lambda: "Who is deciding?" in terminal.text), terminal.text[-500:]
        page.keyboard.type("bob")
        page.keyboard.press("Enter")
        assert wait_until(page, lambda: "Decide whether the review" in terminal.text)
        page.keyboard.press("x")
        # Then the reject is recorded as bob's, not as the server's login name
        assert wait_until(page, lambda: decisions(server.workspace), timeout=20)
        assert [(e.annotator, e.action) for e in decisions(server.workspace)] == \
            [("bob", "reject")]
    finally:
        page.close()


def test_without_the_token_the_page_is_refused(served, browser):
    server, _ = served
    page = browser.new_page()
    try:
        # Given a browser that never opened the printed address (no cookie for this server)
        browser.clear_cookies()
        # Then the bare address and a wrong token are refused
        assert page.goto(server.base + "/").status == 403
        assert "token" in page.inner_text("body")
        assert page.goto(server.base + "/?token=guess&annotator=alice").status == 403
    finally:
        page.close()


class _EvilPage(http.server.BaseHTTPRequestHandler):
    html = b""

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args):
        pass


def test_a_page_from_another_origin_gets_no_screen_and_decides_nothing(served, browser):
    server, _ = served
    # Given that the user opened the real page (so the browser holds the cookie), and an
    # attacker who even knows a live page ticket
    page = browser.new_page()
    page.goto(server.url + "&annotator=alice")
    ticket = page.get_attribute("#terminal", "data-session-websocket-url").rsplit("/", 1)[1]
    page.close()
    script = f"""<script>
      window.result = {{opened: [], frames: 0, closed: 0}};
      for (const path of ["/ws/{ticket}", "/ws"]) {{
        const ws = new WebSocket("ws://127.0.0.1:{server.port}" + path + "?width=80&height=24");
        ws.onopen = () => {{ window.result.opened.push(path);
          for (let i = 0; i < 20; i++) ws.send(JSON.stringify(["stdin", "a"])); }};
        ws.onmessage = () => {{ window.result.frames += 1; }};
        ws.onclose = () => {{ window.result.closed += 1; }};
      }}
    </script>"""
    handler = type("Evil", (_EvilPage,), {"html": script.encode()})
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    evil.disable_nagle_algorithm = True
    thread = threading.Thread(target=evil.serve_forever, daemon=True)
    thread.start()
    attacker = browser.new_page()
    try:
        # When a page on another port of 127.0.0.1 opens WebSockets to the server
        attacker.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        attacker.wait_for_function("window.result.closed === 2", timeout=20_000)
        result = attacker.evaluate("window.result")
        # Then neither connects, no screen reaches it, and nothing is decided
        assert result == {"opened": [], "frames": 0, "closed": 2}
        time.sleep(1.0)
        assert decisions(server.workspace) == []
        assert child_pids(server.proc.pid) == []  # no workbench was even started
    finally:
        attacker.close()
        evil.shutdown()
        evil.server_close()


def test_sigterm_stops_the_server_and_its_sessions_at_once(served, browser):
    server, _ = served
    page = browser.new_page()
    terminal = Terminal(page)
    try:
        # Given a browser session with its workbench running
        page.goto(server.url + "&annotator=alice")
        assert wait_until(page, lambda: "Decide whether the review" in terminal.text)
        kids = child_pids(server.proc.pid)
        assert kids
        # When the server gets SIGTERM, then it is gone in under 3 s, workbenches too
        took = server.sigterm()
        assert server.proc.returncode is not None, "serve still running after 10 s"
        assert took < 3.0, f"SIGTERM took {took:.1f} s"
        assert wait_until(page, lambda: not any(alive(k) for k in kids), timeout=2)
        # And the page says the session ended
        page.wait_for_function("document.body.classList.contains('-closed')", timeout=5000)
    finally:
        page.close()


if os.environ.get("DYNOTUI_SERVE_SCREENSHOT"):  # a person's look: keep the PNG somewhere
    def test_screenshot_for_a_person(served, browser):
        server, _ = served
        page = browser.new_page()
        terminal = Terminal(page)
        page.goto(server.url + "&annotator=alice")
        wait_until(page, lambda: "Decide whether the review" in terminal.text)
        time.sleep(1.0)
        page.screenshot(path=os.environ["DYNOTUI_SERVE_SCREENSHOT"])
        page.close()
