"""Instruction embeddings: near-duplicate groups, similar instructions, diverse selection.

sentence-transformers is imported lazily (5-6 s, 500 MB) by the first function that needs the
model; importing this package loads only numpy. Without the `embeddings` extra those functions
raise a DynoError saying how to install it.
"""

from dynotui.core.embed.cache import VectorCache, text_key
from dynotui.core.embed.groups import NearGroups, near_groups
from dynotui.core.embed.model import DEFAULT_MODEL, available, load_model, model_label
from dynotui.core.embed.search import (Similar, SimilarIndex, describe, near_duplicate_warning,
                                       similar, similar_for, similar_lines, warm_up)
from dynotui.core.embed.select import farthest_point, mean_pairwise_distance, select_diverse
from dynotui.core.embed.vectors import EmbedReport, embed_texts
from dynotui.core.embed.workspace import (embed_workspace, live_proposals, near_duplicate_groups,
                                          near_duplicate_stats, saved_groups)

__all__ = [
    "DEFAULT_MODEL", "EmbedReport", "NearGroups", "Similar", "SimilarIndex", "VectorCache",
    "available", "embed_texts", "embed_workspace", "farthest_point", "live_proposals",
    "load_model", "mean_pairwise_distance", "model_label", "near_duplicate_groups",
    "near_duplicate_stats", "near_duplicate_warning", "near_groups", "saved_groups",
    "describe", "select_diverse", "similar", "similar_for", "similar_lines", "text_key",
    "warm_up",
]
