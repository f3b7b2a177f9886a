"""`dynotui serve`: the same workbench in a browser, through textual-serve (no authentication)."""

from __future__ import annotations

import argparse
import shlex
import sys

from dynotui.core.errors import ConfigError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the workbench in a web browser",
                       description="Serve the workbench through textual-serve. There is NO "
                                   "authentication: anyone who can reach the address controls "
                                   "the app and the workspace. Keep the default loopback host "
                                   "and use an SSH tunnel to reach it from elsewhere.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--theme", help="theme name")
    p.add_argument("--source", default="sample", help="what to browse first")
    p.set_defaults(func=run)


def command_for(args: argparse.Namespace) -> str:
    """The command line each browser session runs: this Python, the bare workbench."""
    parts = [sys.executable, "-m", "dynotui"]
    for flag in ("workspace", "annotator", "theme", "source"):
        value = getattr(args, flag, None)
        if value:
            parts += [f"--{flag}", str(value)]
    return shlex.join(parts)


def _check_free(host: str, port: int) -> None:
    """Raise OSError now if the address cannot be listened on."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
        probe.bind((host, port))


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535 (got {args.port}).")
    from textual_serve.server import Server

    try:
        _check_free(args.host, args.port)  # before anything says "open http://…"
    except OSError as exc:
        raise _listen_error(args, exc) from exc

    print("dynotui serve: there is NO authentication. Anyone who can reach "
          f"http://{args.host}:{args.port} can read and change this workspace.")
    if args.host not in LOOPBACK:
        print(f"dynotui serve: WARNING: {args.host} is not a loopback address; the workbench "
              "is reachable from the network. Prefer 127.0.0.1 with an SSH tunnel.")
    print(f"dynotui serve: open http://{args.host}:{args.port} (Ctrl+C stops).", flush=True)
    try:
        Server(command_for(args), host=args.host, port=args.port, title="dynotui").serve()
    except OSError as exc:  # taken between the check and the start
        raise _listen_error(args, exc) from exc
    return 0


def _listen_error(args: argparse.Namespace, exc: OSError) -> ConfigError:
    return ConfigError(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.",
                       "Pick another --port (or stop what uses it), or a --host this "
                       "machine has.")
