"""`dynotui serve` over raw HTTP and WebSocket: Host, Origin, token, password, annotator."""

from __future__ import annotations

import asyncio
import shutil
import socket
import urllib.error
import urllib.request

import aiohttp
import pytest

from dynotui.cli import build_parser
from dynotui.commands.serve import command_for
from dynotui.serve.guard import Guard
from servekit import Served


def test_defaults_to_loopback_and_passes_the_workspace_and_annotator_on():
    args = build_parser().parse_args(["serve", "--workspace", "/tmp/w s"])
    assert args.host == "127.0.0.1"
    command = command_for(args, "alice o'hara")
    assert "-m dynotui" in command and "'/tmp/w s'" in command and "serve" not in command
    assert "--annotator 'alice o'\"'\"'hara'" in command
    # A session whose address names nobody asks for a name instead of using the login name
    assert command_for(args, None).endswith("--ask-annotator")


def test_the_guard_accepts_only_this_servers_names_and_pages():
    guard = Guard("127.0.0.1", 8000)
    assert guard.host_ok("127.0.0.1:8000") and guard.host_ok("localhost:8000")
    assert guard.host_ok("[::1]:8000")
    for host in (None, "", "127.0.0.1:8001", "evil.example:8000", "127.0.0.1"):
        assert not guard.host_ok(host)
    assert guard.origin_ok("http://127.0.0.1:8000") and guard.origin_ok("http://localhost:8000")
    for origin in (None, "", "null", "http://127.0.0.1:9000", "http://evil.example:8000",
                   "https://127.0.0.1:8000", "file://"):
        assert not guard.origin_ok(origin)
    assert guard.token_ok(guard.token) and not guard.token_ok(guard.token[:-1])
    assert Guard("127.0.0.1", 8000).token != guard.token  # new at every start
    tunnel = Guard("127.0.0.1", 8000, allow_hosts=["localhost:9000", "box.lan"])
    assert tunnel.host_ok("localhost:9000") and tunnel.host_ok("box.lan:8000")
    assert tunnel.origin_ok("http://localhost:9000")


def test_bad_port_is_a_clear_error(capsys):
    from dynotui.cli import main

    assert main(["serve", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def test_password_without_a_terminal_or_the_variable_is_a_clear_error(capsys, monkeypatch):
    from dynotui.cli import main

    monkeypatch.delenv("DYNOTUI_SERVE_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    assert main(["serve", "--password", "--port", "8000"]) == 2
    assert "DYNOTUI_SERVE_PASSWORD" in capsys.readouterr().err


def test_a_port_in_use_is_a_clear_error_before_any_banner(capsys):
    # Given a port something already listens on
    from dynotui.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # When I serve on it, then the error names the address and what to do; no traceback
        assert main(["serve", "--port", str(port)]) == 2
    out = capsys.readouterr()
    assert f"Cannot listen on 127.0.0.1:{port}" in out.err and "--port" in out.err
    assert "open http" not in out.out and "Traceback" not in out.err


@pytest.fixture
def server(tmp_path):
    served = Served(tmp_path / "ws")
    yield served
    served.stop()
    shutil.rmtree(tmp_path / "ws", ignore_errors=True)


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.read().decode(), answer.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_page_needs_the_printed_token_and_this_servers_name(server):
    # Given `dynotui serve` running, its first line is the address with a fresh token
    assert server.url.startswith(f"http://127.0.0.1:{server.port}/?token=")
    assert len(server.token) >= 32
    # Then without the token, or with a wrong one, the page is refused
    assert fetch(server.base + "/")[0] == 403
    assert fetch(server.base + "/?token=" + server.token[:-2])[0] == 403
    # And a DNS-rebinding name (another Host) is refused even with the token
    assert fetch(server.url, {"Host": f"rebind.example:{server.port}"})[0] == 403
    # When I open the printed address, the page comes with the cookie that reloads need
    status, page, headers = fetch(server.url + "&annotator=alice")
    assert status == 200 and "textual-terminal" in page
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"dynotui-{server.port}={server.token}") and "HttpOnly" in cookie
    assert fetch(server.base + "/", {"Cookie": f"dynotui-{server.port}={server.token}"})[0] == 200
    # And the page names nothing outside this server
    assert "googleapis" not in page and "https://" not in page


def socket_url(server, page: str) -> str:
    return page.split('data-session-websocket-url="', 1)[1].split('"', 1)[0]


async def connect(url: str, headers: dict) -> tuple[int, bytes]:
    """(HTTP status of the handshake, first bytes the workbench sent)."""
    async with aiohttp.ClientSession() as session:
        try:
            socket = await session.ws_connect(url + "?width=80&height=24", headers=headers)
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status, b""
        received = b""
        async with socket:
            while len(received) < 2000:
                try:
                    message = await asyncio.wait_for(socket.receive(), 30)
                except asyncio.TimeoutError:
                    break
                if message.type != aiohttp.WSMsgType.BINARY:
                    break
                received += message.data
        return 101, received


def test_websocket_needs_this_servers_origin_and_the_cookie(server):
    status, page, _ = fetch(server.url + "&annotator=alice")
    url = socket_url(server, page)
    cookie = {"Cookie": f"dynotui-{server.port}={server.token}"}
    own = {"Origin": server.base, **cookie}
    # A page from another origin, even holding the cookie, is refused before any app starts
    for origin in ("http://127.0.0.1:1", "http://evil.example", "null"):
        assert asyncio.run(connect(url, {**cookie, "Origin": origin})) == (403, b"")
    assert asyncio.run(connect(url, cookie)) == (403, b"")  # no Origin at all
    # This server's own origin without the cookie is refused too, and so is a made-up page
    assert asyncio.run(connect(url, {"Origin": server.base})) == (403, b"")
    fake = url.rsplit("/", 1)[0] + "/not-a-ticket"
    assert asyncio.run(connect(fake, own)) == (403, b"")
    # With both, the workbench starts and draws
    status, received = asyncio.run(connect(url, own))
    assert status == 101 and len(received) >= 2000


def test_a_password_replaces_the_token(tmp_path):
    served = Served(tmp_path / "ws", "--password",
                    env={"DYNOTUI_SERVE_PASSWORD": "correct horse"})
    try:
        # The printed address carries no token; the page asks for the password
        assert "token=" not in served.url
        status, page, _ = fetch(served.base + "/?annotator=alice")
        assert status == 200 and 'type="password"' in page and "textual-terminal" not in page
        form = {"Origin": served.base, "Content-Type": "application/x-www-form-urlencoded"}
        # A wrong password is refused; the right one sets the cookie and goes to the page
        assert fetch(served.base + "/login", form, b"password=wrong&next=annotator%3Dalice")[0] \
            == 403
        status, _, headers = fetch(served.base + "/login", form,
                                   b"password=correct+horse&next=annotator%3Dalice")
        assert status == 303 and headers["Location"] == "/?annotator=alice"
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        status, page, _ = fetch(served.base + "/?annotator=alice", {"Cookie": cookie})
        assert status == 200 and "textual-terminal" in page
        # And a login posted from another site is refused
        assert fetch(served.base + "/login", {**form, "Origin": "http://evil.example"},
                     b"password=correct+horse")[0] == 403
    finally:
        served.stop()
