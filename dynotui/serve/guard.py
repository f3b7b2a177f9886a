"""Who may use `dynotui serve`: the Host and Origin a browser sends, and the start token.

Loopback is no protection on its own: any page the user visits can open a WebSocket to
127.0.0.1, and a DNS-rebinding name can point at it. So every request must name this server
in its Host header, a WebSocket must come from a page of this server (its Origin), and the
browser must hold the per-start token (from the printed URL, then a cookie) or the password.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::")
_HOST_PORT = re.compile(r"(\[[^\]]+\]|[^:\[\]]+):\d+")


def bracket(host: str) -> str:
    """An IPv6 literal as it appears in a URL or a Host header."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def with_port(name: str, port: int) -> str:
    """`name` as a Host header value: `name:port` unless it already has a port."""
    return name if _HOST_PORT.fullmatch(name) else f"{bracket(name)}:{port}"


class Guard:
    """The rules, free of any web framework, so each one is testable on its own."""

    def __init__(self, host: str, port: int, password: str | None = None,
                 allow_hosts: list[str] | tuple[str, ...] = ()) -> None:
        self.port = port
        self.token = secrets.token_urlsafe(24)  # new at every start; also the cookie's value
        self.password = password or None
        self.cookie = f"dynotui-{port}"  # cookies ignore ports: one name per server
        names = {host}
        if host in LOOPBACK or host in WILDCARD:
            names.update(LOOPBACK)
        names.difference_update(WILDCARD)
        self.hosts = {with_port(name, port).lower() for name in names}
        self.hosts.update(with_port(name, port).lower() for name in allow_hosts)
        self.origins = {f"http://{h}" for h in self.hosts}

    def host_ok(self, host_header: str | None) -> bool:
        """The Host header names this server (a DNS-rebinding name does not)."""
        return bool(host_header) and host_header.lower() in self.hosts

    def origin_ok(self, origin: str | None) -> bool:
        """The request comes from a page this server served; no Origin is refused too."""
        if not origin:
            return False
        parts = urlsplit(origin.lower())
        return f"{parts.scheme}://{parts.netloc}" in self.origins

    def token_ok(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), self.token.encode())

    def password_ok(self, value: str | None) -> bool:
        return self.password is not None and value is not None and \
            hmac.compare_digest(value.encode(), self.password.encode())

    def url(self, host: str) -> str:
        """The address to open: with the token, or bare when a password guards the page."""
        base = f"http://{with_port(host, self.port)}/"
        return base if self.password else f"{base}?token={self.token}"


def clean_name(value: str | None, limit: int = 40) -> str | None:
    """An annotator name from a URL: trimmed, printable, at most `limit` characters."""
    name = (value or "").strip()
    if not name or len(name) > limit or not name.isprintable():
        return None
    return name
