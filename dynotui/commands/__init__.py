"""Headless subcommands; each module has `register(subparsers, common)` and `run(args)`."""
