"""`dynotui serve`: loopback by default, says there is no authentication, serves the app page."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from dynotui.cli import build_parser
from dynotui.commands.serve import command_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_defaults_to_loopback_and_passes_the_workspace_on():
    args = build_parser().parse_args(["serve", "--workspace", "/tmp/w s"])
    assert args.host == "127.0.0.1"
    command = command_for(args)
    assert "-m dynotui" in command and "'/tmp/w s'" in command and "serve" not in command


def test_bad_port_is_a_clear_error(capsys):
    from dynotui.cli import main

    assert main(["serve", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


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
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dynotui", "serve", "--port", str(port),
                             "--workspace", str(tmp_path / "ws")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield proc, port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_serves_the_page_and_warns_plainly(server):
    # Given `dynotui serve` running
    proc, port = server
    first = proc.stdout.readline()
    # Then it says plainly there is no authentication
    assert "NO authentication" in first
    # And the page is served on the loopback address
    deadline, page = time.monotonic() + 20, ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                page = answer.read().decode()
            break
        except OSError:
            time.sleep(0.2)
    assert "textual" in page.lower()
