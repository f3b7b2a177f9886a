"""Review's similar-instructions keys and the news of its embedding worker (tui/similar.py)."""

from __future__ import annotations

from dynotui.tui.similar import EmbedFinished, EmbedProgress, SimilarFound


class SimilarActions:
    """Mixed into ReviewScreen (handlers by name: Textual finds them along the MRO)."""

    def _show_again(self) -> None:
        if self.current is not None:
            self._render_proposal(self.current, self._meta_of(self.current))

    def action_similar(self) -> None:
        self.similar.toggle()
        self._show_again()

    def on_similar_found(self, message: SimilarFound) -> None:
        if self.similar.found(message) and self.current is not None \
                and self.current.id == message.pid:
            self._show_again()

    def action_cancel_embedding(self) -> None:
        if self.similar.cancel():
            self._show_again()

    def on_embed_progress(self, message: EmbedProgress) -> None:
        if self.similar.embed_progress(message):
            self._show_again()

    def on_embed_finished(self, message: EmbedFinished) -> None:
        if self.similar.embed_finished(message):
            self._show_again()
