"""How long SIGTERM takes to stop `dynotui serve` with one browser session open.

Baseline in the same run: textual-serve's stock Server serving the same workbench command
(what `dynotui serve` ran before it had its own server). Each round opens one WebSocket
session, waits for the workbench to draw, sends SIGTERM and times until the process is gone.

    .venv/bin/python bench/serve_stop.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from benchenv import installed  # noqa: E402

ENV = installed({**os.environ, "PYTHONPATH": str(ROOT)})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, workspace: str, port: int) -> tuple[subprocess.Popen, str, dict]:
    """(process, WebSocket URL, headers) for one server."""
    if kind == "stock":
        command = shlex.join([sys.executable, "-m", "dynotui", "--workspace", workspace,
                              "--annotator", "bench"])
        code = ("from textual_serve.server import Server; "
                f"Server({command!r}, host='127.0.0.1', port={port}).serve()")
        proc = subprocess.Popen([sys.executable, "-c", code], env=ENV, cwd=ROOT,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        wait_listening(port)
        return proc, f"http://127.0.0.1:{port}/ws", {}
    proc = subprocess.Popen([sys.executable, "-m", "dynotui", "serve", "--port", str(port),
                             "--workspace", workspace], env=ENV, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    token = re.search(r"token=(\S+)", proc.stdout.readline()).group(1)
    wait_listening(port)
    return proc, f"http://127.0.0.1:{port}/?token={token}&annotator=bench", {}


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("server did not listen")


async def one_round(kind: str) -> float:
    workspace, port = tempfile.mkdtemp(prefix="serve-stop-"), free_port()
    proc, url, _ = start(kind, workspace, port)
    try:
        return await timed_stop(kind, proc, url, port)
    finally:  # whatever happened, leave no server behind
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def timed_stop(kind: str, proc: subprocess.Popen, url: str, port: int) -> float:
    # unsafe=True: keep cookies for an IP address (the token's cookie on 127.0.0.1)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        if kind == "ours":  # the page first: it sets the cookie and names the WebSocket
            async with session.get(url) as page:
                text = await page.text()
            url = re.search(r'data-session-websocket-url="ws([^"]+)"', text).group(1)
            url = "http" + url
        ws = await session.ws_connect(url + "?width=100&height=30",
                                      headers={"Origin": f"http://127.0.0.1:{port}"})
        got = 0
        while got < 2000:  # the workbench drew its first screen
            message = await asyncio.wait_for(ws.receive(), 60)
            if message.type == aiohttp.WSMsgType.BINARY:
                got += len(message.data)
        start_at = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        while proc.poll() is None and time.monotonic() - start_at < 60:
            await asyncio.sleep(0.02)
        took = time.monotonic() - start_at
        if proc.poll() is None:
            proc.kill()
        await ws.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    print(f"load average before: {os.getloadavg()}")
    times: dict[str, list[float]] = {"stock": [], "ours": []}
    for _ in range(rounds):  # interleaved, so both see the same load
        for kind in times:
            times[kind].append(asyncio.run(one_round(kind)))
    for kind, values in times.items():
        label = "textual-serve Server (baseline)" if kind == "stock" else "dynotui serve"
        print(f"{label:34} SIGTERM -> exit: median {statistics.median(values):.2f} s  "
              f"({', '.join(f'{v:.2f}' for v in values)})")
    ratio = statistics.median(times["ours"]) / statistics.median(times["stock"])
    print(f"ratio ours/baseline: {ratio:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
