"""Proposals a reviewer would keep, from the embedded model, on the bundled samples.

For each prompt variant (default: schema, then the two Dynosaur prompts as the baseline, all
in the same run with the same model server): proposals made, the share passing the checks, the
share the hand-written answer key (tests/support/answerkey.py) calls sensible, datasets with
at least one sensible proposal, seconds per dataset (generation only: the model server is
started once, before, and timed apart), and per model call the latency and tokens.
The issue's goal for the default (schema): >= 80% sensible, every dataset >= 1, < 10 s each.

    .venv/bin/python bench/proposals.py [--variants schema,aware,unaware] [--show]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]
for name in ("OPENAI_BASE_URL", "DYNOTUI_BASE_URL", "DYNOTUI_MODEL", "DYNOTUI_CONFIG"):
    os.environ.pop(name, None)  # the embedded model, default settings
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from answerkey import KEY, sensible  # noqa: E402

from dynotui.config import load_settings  # noqa: E402
from dynotui.core.generation.run import run_generation  # noqa: E402
from dynotui.core.sources import load_meta, parse_ref  # noqa: E402
from dynotui.core.store import Store  # noqa: E402


class Timed:
    """The client, recording (seconds, tokens in, tokens out) of every call."""

    def __init__(self, client) -> None:
        self.client, self.model, self.calls = client, client.model, []

    async def ready(self) -> str:
        return await self.client.ready()

    async def complete(self, messages, schema=None, **kwargs):
        answer = await self.client.complete(messages, schema, **kwargs)
        self.calls.append((answer.seconds, answer.tokens_in, answer.tokens_out))
        return answer

    async def aclose(self) -> None:
        pass


def metas(settings) -> list:
    out = []
    for key in KEY:
        name, _, config = key.removeprefix("sample:").partition("/")
        out.append(load_meta(parse_ref(f"sample:{name}", config=config or None), 100, settings))
    return out


def _med(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


async def run_variant(variant: str, datasets: list, settings, client: Timed, show: bool) -> dict:
    rows, seconds, calls_before = [], [], len(client.calls)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "ws")
        for meta in datasets:
            t0 = time.monotonic()
            await run_generation([meta], store, settings, variants=(variant,), client=client)
            seconds.append(time.monotonic() - t0)
            for p in store.proposals(meta.ref.id):
                if (p.config or None) != (meta.ref.config or None):
                    continue
                ok = sensible(meta.ref.key.removesuffix("/default"), p.task.instruction,
                              p.task.input_fields, p.task.output_field)
                worded = not any(v.rule == "template_instruction" for v in p.verdicts)
                rows.append((meta.ref.key, p.valid, ok, worded))
                if show:
                    mark = ("sensible" if ok else "not sensible") + ("" if p.valid else
                                                                     ", rejected")
                    print(f"  {variant:7} {meta.ref.key:32} {p.task.input_fields} -> "
                          f"{p.task.output_field}: {p.task.instruction[:90]!r} [{mark}]")
        store.close()
    calls = client.calls[calls_before:]
    keys = [m.ref.key for m in datasets]
    return {
        "variant": variant, "proposals": len(rows),
        "valid": sum(r[1] for r in rows), "sensible": sum(r[2] for r in rows),
        "sensible_valid": sum(r[1] and r[2] for r in rows),
        "worded": sum(r[3] for r in rows),
        "covered": sum(any(r[0] == k and r[1] and r[2] for r in rows) for k in keys),
        "datasets": len(keys), "seconds": seconds, "calls": calls,
    }


def report(r: dict) -> str:
    n = max(1, r["proposals"])
    lat = [c[0] for c in r["calls"]]
    return (f"{r['variant']:8} proposals {r['proposals']:3}  pass checks {r['valid'] / n:5.0%}  "
            f"sensible {r['sensible'] / n:5.0%} (and passing {r['sensible_valid'] / n:4.0%})  "
            f"datasets with a sensible task {r['covered']}/{r['datasets']}  "
            f"s/dataset median {_med(r['seconds']):.1f} max {max(r['seconds'], default=0):.1f}  "
            f"calls {len(lat)}: median {_med(lat):.2f} s, tokens in {_med([c[1] for c in r['calls']]):.0f} "
            f"out {_med([c[2] for c in r['calls']]):.0f}"
            + (f"  worded by the model {r['worded'] / n:.0%}" if r["variant"] == "schema" else ""))


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", default="schema,aware,unaware")
    ap.add_argument("--show", action="store_true", help="print every proposal and its judgement")
    args = ap.parse_args()
    from dynotui.core.llm import make_client
    from dynotui.core.llm.embedded import stop_embedded

    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(workspace=Path(tmp) / "ws")
        datasets = metas(settings)
        t0 = time.monotonic()
        client = Timed(await asyncio.to_thread(make_client, settings.llm, None))
        await client.ready()
        print(f"model server start: {time.monotonic() - t0:.1f} s (once, not counted below)")
        results = []
        try:
            for variant in args.variants.split(","):
                results.append(await run_variant(variant, datasets, settings, client, args.show))
                print(report(results[-1]), flush=True)
        finally:
            await client.client.aclose()
            stop_embedded()
    print(f"load average at end: {os.getloadavg()}")
    base = [r for r in results if r["variant"] != "schema"]
    if base and any(r["variant"] == "schema" for r in results):
        s = next(r for r in results if r["variant"] == "schema")
        b_props = sum(r["proposals"] for r in base)
        b_ok = sum(r["sensible_valid"] for r in base)
        print(f"schema: {s['sensible_valid']}/{s['proposals']} sensible and passing; baseline "
              f"(Dynosaur prompts, same model, same run): {b_ok}/{b_props}; seconds per dataset "
              f"median {_med(s['seconds']):.1f} vs {_med([x for r in base for x in r['seconds']]):.1f}")


if __name__ == "__main__":
    asyncio.run(main())
