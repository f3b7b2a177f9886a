"""The embedding worker process: `python -m dynotui.core.embed.worker --workspace W [--model M]`.

Reads a JSON list of texts on stdin, embeds them into the workspace's vector cache and writes
one line per step on stdout: `loaded`, then `progress DONE TOTAL` after each batch, then
`done N`; on failure `error {"message": ..., "hint": ...}` and exit code 2. Vectors are stored
a chunk at a time, each chunk one shard written atomically: killing the process loses at most
the chunk in progress and never leaves a half-written shard. The parent side is job.py.
"""

from __future__ import annotations

import argparse
import json
import sys

CHUNK = 512  # texts per shard: a cancel loses at most this much work


def say(*words: object) -> None:
    print(*words, flush=True)


def run(workspace: str, model: str | None, texts: list[str]) -> int:
    # here, not at the top: a failed import (numpy, the model) becomes main's `error` line
    from dynotui.core.embed.cache import cache_for, text_key
    from dynotui.core.embed.model import encode, load_model

    encoder = load_model(model)
    say("loaded")
    cache = cache_for(workspace, model)
    total = len(texts)
    say("progress", 0, total)
    for start in range(0, total, CHUNK):
        chunk = texts[start:start + CHUNK]
        vectors = encode(encoder, chunk,
                         on_batch=lambda done, _n, base=start: say("progress", base + done, total))
        cache.add([text_key(t) for t in chunk], vectors)
    say("done", total)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynotui.core.embed.worker")
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--model")
    args = parser.parse_args(argv)
    try:
        texts = json.load(sys.stdin)
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ValueError("stdin must hold a JSON list of strings")
        run(args.workspace, args.model, [t.strip() for t in texts])
    except Exception as exc:  # the parent shows the message; the cache keeps whole shards only
        say("error", json.dumps({"message": getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}",
                                 "hint": getattr(exc, "hint", "")}))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
