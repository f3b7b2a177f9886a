"""`dynotui serve`: the same workbench in a browser, behind a per-start token or a password."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from dynotui.core.errors import ConfigError
from dynotui.serve.guard import Guard

LOOPBACK = ("127.0.0.1", "localhost", "::1")
PASSWORD_ENV = "DYNOTUI_SERVE_PASSWORD"


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the workbench in a web browser",
                       description="Serve the workbench in a web browser. Each start makes a "
                                   "new random token and prints the address that carries it "
                                   "(like Jupyter); only a browser that opened that address "
                                   "(or knows --password) gets the app. Add "
                                   "&annotator=NAME to the address to decide as NAME; "
                                   "without it the app asks for a name.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--password", action="store_true",
                   help=f"ask for a password instead of a token in the address (read from "
                        f"${PASSWORD_ENV} when set, else asked for on the terminal)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME[:PORT]",
                   help="another name the browser may use for this server, e.g. "
                        "localhost:9000 behind `ssh -L 9000:127.0.0.1:8000`")
    p.add_argument("--theme", help="theme name")
    p.add_argument("--source", default="sample", help="what to browse first")
    p.set_defaults(func=run)


def command_for(args: argparse.Namespace, annotator: str | None = None) -> str:
    """The command line one browser session runs: this Python, the bare workbench, with the
    session's annotator, or asking for one when the address named none."""
    parts = [sys.executable, "-m", "dynotui"]
    for flag in ("workspace", "theme", "source"):
        value = getattr(args, flag, None)
        if value:
            parts += [f"--{flag}", str(value)]
    annotator = annotator or getattr(args, "annotator", None)
    parts += ["--annotator", annotator] if annotator else ["--ask-annotator"]
    return shlex.join(parts)


def _check_free(host: str, port: int) -> None:
    """Raise OSError now if the address cannot be listened on."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
        probe.bind((host, port))


def _password() -> str:
    value = os.environ.get(PASSWORD_ENV)
    if value is None:
        if not sys.stdin.isatty():
            raise ConfigError("--password needs a password, and there is no terminal to ask on.",
                              f"Set {PASSWORD_ENV} in the environment.")
        import getpass

        value = getpass.getpass("dynotui serve: password for the browser page: ")
    if len(value) < 8:
        raise ConfigError("The serve password must have at least 8 characters.")
    return value


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535 (got {args.port}).")
    password = _password() if args.password else None
    try:
        _check_free(args.host, args.port)  # before anything says "open http://…"
    except OSError as exc:
        raise _listen_error(args, exc) from exc
    # deferred: aiohttp, ~1.5 s; cli.py imports every command
    from dynotui.serve.server import WebServer

    guard = Guard(args.host, args.port, password, args.allow_host)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    if args.host not in LOOPBACK:
        print(f"dynotui serve: WARNING: {args.host} is not a loopback address; the workbench "
              "is reachable from the network without encryption. Prefer 127.0.0.1 with an "
              "SSH tunnel.")
        if args.host in ("0.0.0.0", "::"):
            print("dynotui serve: browsers must reach it as 127.0.0.1 or localhost, or by a "
                  "name given with --allow-host NAME (any other Host is refused).")
    how = "log in with the password" if password else "the token in this address is the key"
    print(f"dynotui serve: open {guard.url(shown)}  ({how}; add &annotator=NAME to decide "
          "as NAME; Ctrl+C stops)", flush=True)
    server = WebServer(guard, lambda name: command_for(args, name), args.host, args.port)
    try:
        server.serve()
    except OSError as exc:  # taken between the check and the start
        raise _listen_error(args, exc) from exc
    return 0


def _listen_error(args: argparse.Namespace, exc: OSError) -> ConfigError:
    return ConfigError(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.",
                       "Pick another --port (or stop what uses it), or a --host this "
                       "machine has.")
