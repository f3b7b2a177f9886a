"""Command palette: screens, themes and the actions of the screen you are on."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dynotui.tui import render

SCREENS = [("Go to Browse", "browse", "datasets, generation"),
           ("Go to Review", "review", "accept, reject, edit proposals"),
           ("Go to Export", "export", "write accepted tasks as training data"),
           ("Go to Stats", "stats", "counts by dataset, reason and annotator")]


class DynoCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        out: list[tuple[str, Callable[[], Any], str]] = []
        for title, mode, help_text in SCREENS:
            out.append((title, partial(app.action_show, mode), help_text))
        for name in sorted(app.available_themes):
            out.append((f"Theme: {name}", partial(setattr, app, "theme", name), "switch theme"))
        # The screen beneath the palette: its shown bindings become commands.
        screen = self.screen
        reasons = list(app.settings.reject_reasons)
        for binding in getattr(screen, "BINDINGS", []):
            description = getattr(binding, "description", "")
            if not description:
                continue
            if (binding.id or "").startswith("review.reason-"):
                n = int(binding.id.rsplit("-", 1)[1])
                if n > len(reasons):
                    continue
                description = f"reject: {render.one_line(reasons[n - 1], 60)}"
            out.append((f"{description[0].upper()}{description[1:]} ({binding.key})",
                        partial(self._run, screen, binding.action), binding.id or ""))
        out.append(("Help: keys and binding ids", app.action_help, "?"))
        out.append(("Guidelines", partial(_guidelines, app), "the team's annotation guidelines"))
        out.append(("Generate for the crawl queue", partial(_generate_queued, app),
                    "like `dynotui generate --queued`"))
        return out

    async def _run(self, screen: Any, action: str) -> None:
        await screen.run_action(action)

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


def _guidelines(app: Any) -> None:
    # Deferred for start-up time (the palette's provider loads with the app): tui.team and
    # the team outcomes it reads cost ~5 ms.
    from dynotui.tui.team import show_guidelines

    show_guidelines(app)


def _generate_queued(app: Any) -> None:
    # Deferred for start-up time: crawljob brings the crawl and queue modules (~0.1 s).
    from dynotui.tui.crawljob import generate_queued

    generate_queued(app)
