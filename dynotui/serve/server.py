"""The web server of `dynotui serve`: textual-serve's app sessions behind the Guard.

One browser WebSocket = one workbench process (textual-serve's AppService). The page, the
login form and the checks are ours; the terminal script, its CSS and fonts are textual-serve's
files, served from here so the page asks no other site for anything.
"""

from __future__ import annotations

import asyncio
import html
import secrets
import signal
from pathlib import Path
from string import Template
from typing import Callable

from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.web_runner import GracefulExit

from dynotui.serve.guard import Guard, clean_name

HERE = Path(__file__).parent
TICKETS = 1000  # page views remembered (each names its annotator); the oldest go first
STOP_GRACE = 1.0  # seconds a workbench gets to save and quit before it is terminated


def _static_dir() -> Path:
    import textual_serve

    return Path(textual_serve.__file__).parent / "static"


def _forbidden(why: str) -> web.Response:
    return web.Response(status=403, text=f"dynotui serve: {why}\n")


class WebServer:
    def __init__(self, guard: Guard, command_for: Callable[[str | None], str],
                 host: str, port: int, title: str = "dynotui") -> None:
        from textual_serve.download_manager import DownloadManager

        self.guard, self.command_for = guard, command_for
        self.host, self.port, self.title = host, port, title
        self.tickets: dict[str, str | None] = {}  # page ticket -> annotator named in its URL
        self.sessions: set = set()  # (websocket, AppService) pairs alive
        self.downloads = DownloadManager()
        self.page = Template((HERE / "page.html").read_text(encoding="utf-8"))
        self.login = Template((HERE / "login.html").read_text(encoding="utf-8"))

    # -- the application ------------------------------------------------------------------
    def build(self) -> web.Application:
        app = web.Application(middlewares=[self._check_host])
        app.add_routes([
            web.get("/", self.index),
            web.post("/login", self.log_in),
            web.get("/ws/{ticket}", self.websocket),
            web.get("/download/{key}", self.download),
            web.static("/static", _static_dir()),
        ])
        app.on_shutdown.append(self._stop_sessions)
        return app

    def serve(self) -> None:
        """Run until SIGINT or SIGTERM; either stops everything within about two seconds."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)

        def stop() -> None:
            raise GracefulExit()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        web.run_app(self.build(), host=self.host, port=self.port, loop=loop,
                    handle_signals=False, shutdown_timeout=STOP_GRACE, print=None,
                    access_log=None)

    @web.middleware
    async def _check_host(self, request: web.Request, handler):
        if not self.guard.host_ok(request.headers.get("Host")):
            return _forbidden("this server does not answer to that host name "
                              "(see --allow-host).")
        return await handler(request)

    def _authed(self, request: web.Request) -> bool:
        return self.guard.token_ok(request.cookies.get(self.guard.cookie))

    def _with_cookie(self, response: web.StreamResponse) -> web.StreamResponse:
        response.set_cookie(self.guard.cookie, self.guard.token, httponly=True,
                            samesite="Lax", path="/")
        return response

    # -- pages ----------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("token")
        if token is not None and not self.guard.password:
            if not self.guard.token_ok(token):
                return _forbidden("wrong token: open the address printed when the server "
                                  "started.")
        elif not self._authed(request):
            if self.guard.password:
                return self._login_page(request.query_string, "", status=200)
            return _forbidden("open the address with ?token=… printed when the server "
                              "started.")
        ticket = secrets.token_urlsafe(16)
        self.tickets[ticket] = clean_name(request.query.get("annotator"))
        while len(self.tickets) > TICKETS:
            del self.tickets[next(iter(self.tickets))]
        size = request.query.get("fontsize", "16")
        page = self.page.substitute(
            title=html.escape(self.title),
            websocket=html.escape(f"ws://{request.headers['Host']}/ws/{ticket}"),
            font_size=size if size.isdigit() and 6 <= int(size) <= 64 else "16")
        response = web.Response(text=page, content_type="text/html",
                                headers={"Cache-Control": "no-store",
                                         "Referrer-Policy": "no-referrer"})
        return self._with_cookie(response)

    def _login_page(self, query: str, error: str, status: int) -> web.Response:
        page = self.login.substitute(title=html.escape(self.title), error=html.escape(error),
                                     next=html.escape(query))
        return web.Response(status=status, text=page, content_type="text/html")

    async def log_in(self, request: web.Request) -> web.StreamResponse:
        if not self.guard.password or not self.guard.origin_ok(request.headers.get("Origin")):
            return _forbidden("log in from this server's own page.")
        form = await request.post()
        query = str(form.get("next", ""))
        if not self.guard.password_ok(str(form.get("password", ""))):
            await asyncio.sleep(1.0)  # slows guessing down
            return self._login_page(query, "Wrong password.", status=403)
        target = "/" + (f"?{query}" if query and "token=" not in query else "")
        return self._with_cookie(web.HTTPSeeOther(target))

    # -- one browser session = one workbench process ---------------------------------------
    async def websocket(self, request: web.Request) -> web.StreamResponse:
        from textual_serve.app_service import AppService

        if not self.guard.origin_ok(request.headers.get("Origin")):
            return _forbidden("WebSocket from another site refused.")
        if not self._authed(request):
            return _forbidden("no valid token: reload the page from the printed address.")
        ticket = request.match_info["ticket"]
        if ticket not in self.tickets:
            return _forbidden("unknown page: reload it.")
        annotator = self.tickets[ticket]
        width = _bounded(request.query.get("width"), 80)
        height = _bounded(request.query.get("height"), 24)
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)
        service = AppService(self.command_for(annotator), write_bytes=socket.send_bytes,
                             write_str=socket.send_str, close=socket.close,
                             download_manager=self.downloads)
        pair = (socket, service)
        self.sessions.add(pair)
        try:
            await service.start(width, height)
            await self._relay(socket, service)
        except asyncio.CancelledError:
            pass
        finally:
            self.sessions.discard(pair)
            await _stop(service)
        return socket

    async def _relay(self, socket: web.WebSocketResponse, service) -> None:
        """Browser messages to the workbench: keys, size, focus; pings answered here."""
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, *rest = message.json()
            except (ValueError, TypeError):
                continue
            data = rest[0] if rest else None
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_bounded(data.get("width"), 80),
                                                _bounded(data.get("height"), 24))
            elif kind == "ping":
                await socket.send_json(["pong", data])
            elif kind == "focus":
                await service.focus()
            elif kind == "blur":
                await service.blur()

    async def download(self, request: web.Request) -> web.StreamResponse:
        if not self._authed(request):
            return _forbidden("no valid token.")
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text=f"No download {key!r}.")
        response = web.StreamResponse()
        response.content_type = meta.mime_type
        if meta.encoding:
            response.charset = meta.encoding
        how = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = f"{how}; filename={meta.file_name}"
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def _stop_sessions(self, app: web.Application) -> None:
        """On SIGTERM: ask every workbench to quit, and close their sockets."""
        sessions = list(self.sessions)
        await asyncio.gather(*(_stop(service) for _, service in sessions),
                             return_exceptions=True)
        await asyncio.gather(*(socket.close(code=WSCloseCode.GOING_AWAY, message=b"stopped")
                               for socket, _ in sessions), return_exceptions=True)


async def _stop(service) -> None:
    """Quit a workbench (it saves what is pending), terminating it if it takes too long."""
    try:
        await asyncio.wait_for(asyncio.shield(service.stop()), STOP_GRACE)
        return
    except (asyncio.TimeoutError, Exception):
        pass
    process = getattr(service, "_process", None)  # textual-serve keeps the process here
    if process is not None and process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 0.5)
        except asyncio.TimeoutError:
            process.kill()


def _bounded(value, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(10, min(number, 1000))

