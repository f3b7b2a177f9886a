"""Ask the LLM for tasks, validate them, store every proposal (kept or rejected) with its
provenance; one function for the CLI and the TUI.

A call's tokens and cost are split evenly over the proposals it produced, so sums over stored
proposals equal the sums over calls. An unparseable answer is stored as a proposal with an
empty task and the verdict `unparseable` (or `no_tasks`), so stats can count it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any, Callable

from dynotui.core.errors import DynoError, LLMError, StoreError
from dynotui.core.generation.feedback import fingerprint, rejections
from dynotui.core.generation.prompts import (ALL_VARIANTS, PROMPT_VERSION, build_prompt,
                                             default_variants, estimate_tokens, prompt_fields,
                                             response_schema, skip_reason)
from dynotui.core.generation.records import build_proposals, shown_split  # noqa: F401 (API)
from dynotui.core.generation.report import (CallResult, DatasetReport, Estimate, GenerationReport,
                                            Progress)
from dynotui.core.generation.schema import estimate_calls, schema_proposals
from dynotui.core.generation.validate import check_answer
from dynotui.core.generation.writer import BatchWriter
from dynotui.core.llm import make_client
from dynotui.core.llm.answer import LLMUnavailable
from dynotui.core.llm.cost import cost_usd
from dynotui.core.llm.embedded import EMBEDDED_MODEL
from dynotui.core.models import DatasetMeta, DatasetRef, Proposal
from dynotui.core.sources import load_meta, parse_ref

EST_TOKENS_OUT = 160  # a typical three-task answer, for dry-run estimates


def revision_of(meta: DatasetMeta) -> str:
    """The dataset revision, or a fingerprint of what the prompt shows when there is none."""
    if meta.revision:
        return meta.revision
    shown = [meta.summary, [(f.name, f.type, f.label_names) for f in meta.features],
             meta.sample_rows(2)]
    return "fp-" + hashlib.sha256(json.dumps(shown, default=str).encode()).hexdigest()[:12]


def cache_key(meta: DatasetMeta, variant: str, model: str, feedback: str = "") -> str:
    """What a generation is cached under; `feedback`: the fingerprint of the rejections sent
    back when regenerating (the same feedback is asked once)."""
    key = f"{meta.ref.key}@{revision_of(meta)}|{variant}|{PROMPT_VERSION[variant]}|{model}"
    return f"{key}|fb-{feedback}" if feedback else key


def _check_variants(variants: Any) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(variants))
    bad = [v for v in out if v not in ALL_VARIANTS]
    if bad or not out:
        raise LLMError(f"Unknown prompt variant(s): {', '.join(bad) or 'none given'}.",
                       "Use aware, unaware, schema, or a comma-separated list of them.")
    return out


def _is_set(cancel: Any) -> bool:
    if cancel is None:
        return False
    return bool(cancel()) if callable(cancel) and not hasattr(cancel, "is_set") else cancel.is_set()


# Answers paid for whose proposals could not be written (a full disk, a read-only workspace),
# by cache key and prompt: asking again in this process (the workbench, a retry) reuses them.
_UNSAVED: dict[tuple[str, str], Any] = {}


class _Run:
    """State of one run: the store is touched from one thread at a time."""

    def __init__(self, store, settings, client, model: str, force: bool,
                 on_progress: Callable[[Progress], Any] | None) -> None:
        self.store, self.settings, self.client, self.model = store, settings, client, model
        self.force, self.on_progress = force, on_progress
        self.feedback: dict[str, list[dict]] = {}  # dataset key -> rejections sent back
        self.again: set[str] = set()  # regenerated without feedback: asked again
        self.store_lock = asyncio.Lock()
        self.writer = BatchWriter(store, self.store_lock)
        self.existing: dict[str, set[str]] = {}
        self.done_keys: set[str] = set()
        self.done = 0
        self.total = 0
        self.sums: list = [0, 0, 0.0, 0, 0]
        # model calls in tasks of their own: a stop (a full disk) keeps the answers on their way
        self.slots = asyncio.Semaphore(max(1, int(settings.llm.concurrency)))
        self.asking: set[asyncio.Future] = set()  # calls not answered yet
        self.sending: set[asyncio.Future] = set()  # of those, the ones whose request is out

    async def in_store(self, fn, *args):
        async with self.store_lock:
            return await asyncio.to_thread(fn, *args)

    def progress(self, meta: DatasetMeta, call: CallResult) -> None:
        self.done += 1
        self.sums = [self.sums[0] + call.tokens_in, self.sums[1] + call.tokens_out,
                     self.sums[2] + call.cost_usd, self.sums[3] + call.kept,
                     self.sums[4] + sum(call.rejected.values())]
        if self.on_progress:
            tin, tout, cost, kept, rejected = self.sums
            self.on_progress(Progress(self.done, self.total, meta.ref.key, call.variant,
                                      call.status, tin, tout, cost, kept, rejected))

    async def prepare(self, metas: list[DatasetMeta]) -> None:
        """Read the cache keys once, and the stored ids at once when there are many datasets."""
        gens = getattr(self.store, "generations", None)
        if gens is not None and not self.force:
            self.done_keys = set(await self.in_store(gens))
        if len(metas) > 50:
            wanted = {m.ref.id for m in metas}
            for prop in await self.in_store(self.store.proposals):
                if prop.dataset in wanted:
                    self.existing.setdefault(prop.dataset, set()).add(prop.id)
            for dataset in wanted:
                self.existing.setdefault(dataset, set())

    def key(self, meta: DatasetMeta, variant: str) -> str:
        return cache_key(meta, variant, self.model, fingerprint(self.feedback.get(meta.ref.key, [])))

    def forced(self, meta: DatasetMeta) -> bool:
        return self.force or meta.ref.key in self.again

    def cached_now(self, meta: DatasetMeta, variant: str) -> bool:
        """From the cache keys read by prepare() (a store without generations(): unknown)."""
        return not self.forced(meta) and self.key(meta, variant) in self.done_keys

    async def is_cached(self, meta: DatasetMeta, variant: str) -> bool:
        if self.forced(meta):
            return False
        if self.cached_now(meta, variant):
            return True
        if hasattr(self.store, "generations"):
            return False
        return await self.in_store(self.store.generation_done, self.key(meta, variant))

    async def existing_ids(self, meta: DatasetMeta) -> set[str]:
        if meta.ref.id not in self.existing:
            props = await self.in_store(self.store.proposals, meta.ref.id)
            self.existing.setdefault(meta.ref.id, {p.id for p in props})
        return self.existing[meta.ref.id]

    async def call(self, meta: DatasetMeta, variant: str) -> CallResult:
        key = self.key(meta, variant)
        rejected = self.feedback.get(meta.ref.key, [])
        if variant == "schema":
            return await self.call_schema(meta, key, rejected)
        messages = build_prompt(meta, variant, rejected)
        schema = response_schema([f.name for f in prompt_fields(meta)])
        started = time.time()
        unsaved = (key, hashlib.sha256(json.dumps(messages, default=str).encode()).hexdigest())
        answer = _UNSAVED.get(unsaved) or await self.ask(unsaved, messages, schema)
        existing = await self.existing_ids(meta)
        checked, _form = check_answer(answer.text, meta, existing)
        cost, priced = cost_usd(answer.model, answer.tokens_in, answer.tokens_out,
                                self.settings.llm.prices)
        props = build_proposals(meta, variant, answer, checked, self.settings.llm.temperature,
                                cost, started, existing)
        info = {"model": answer.model, "variant": variant, "prompt_version": PROMPT_VERSION[variant],
                "proposals": [p.id for p in props], "tokens_in": answer.tokens_in,
                "tokens_out": answer.tokens_out, "cost_usd": cost, "mode": answer.mode}
        await self.writer.put(props, key, info)
        _UNSAVED.pop(unsaved, None)
        result = CallResult(variant, "done", tokens_in=answer.tokens_in, tokens_out=answer.tokens_out,
                            cost_usd=cost, priced=priced, seconds=answer.seconds, mode=answer.mode,
                            proposals=[p.id for p in props])
        return self.tally(result, props)

    async def ask(self, unsaved: tuple[str, str], messages: list, schema: dict) -> Any:
        """The model's answer, kept in _UNSAVED until its proposals are on disk. Asked in a task
        of its own, so that cancelling the job (the run stops) does not drop a paid answer."""
        task = asyncio.ensure_future(self._ask(unsaved, messages, schema))
        self.asking.add(task)
        task.add_done_callback(self.asking.discard)
        return await asyncio.shield(task)

    async def _ask(self, unsaved: tuple[str, str], messages: list, schema: dict) -> Any:
        async with self.slots:
            me = asyncio.current_task()
            self.sending.add(me)
            try:
                answer = await self.client.complete(messages, schema)
            finally:
                self.sending.discard(me)
        _UNSAVED[unsaved] = answer
        return answer

    async def settle(self, keep_sent: bool) -> None:
        """End the calls still open: those not sent yet are cancelled; those on their way are
        waited for (keep_sent: their answers stay in _UNSAVED) or cancelled too."""
        for task in list(self.asking):
            if not keep_sent or task not in self.sending:
                task.cancel()
        await asyncio.gather(*self.asking, return_exceptions=True)

    async def call_schema(self, meta: DatasetMeta, key: str, rejected: list[dict]) -> CallResult:
        """Skeletons from the metadata, one short wording call each (schema.py)."""
        existing = await self.existing_ids(meta)
        props, info = await schema_proposals(self.client, meta, rejected, existing,
                                             self.settings, self.model)
        await self.writer.put(props, key, info)
        result = CallResult("schema", "done", tokens_in=info["tokens_in"],
                            tokens_out=info["tokens_out"], cost_usd=info["cost_usd"],
                            priced=info["priced"], seconds=info["seconds"], mode="text",
                            proposals=[p.id for p in props])
        return self.tally(result, props)

    @staticmethod
    def tally(result: CallResult, props: list[Proposal]) -> CallResult:
        for prop in props:
            if prop.valid:
                result.kept += 1
            else:
                result.rejected.update({prop.errors[0].rule: 1})
            result.warnings += len(prop.warnings)
        return result


async def _load(refs: list[Any], settings) -> list[tuple[Any, DatasetMeta | None, str]]:
    """(ref, meta, error) per ref; DatasetMeta objects pass through (the others get stored)."""
    gate = asyncio.Semaphore(4)

    async def one(ref: Any):
        if isinstance(ref, DatasetMeta):
            return ref, ref, ""

        try:
            parsed = ref if isinstance(ref, DatasetRef) else parse_ref(str(ref))
            async with gate:
                return ref, await asyncio.to_thread(load_meta, parsed, settings.sample_rows, settings), ""
        except DynoError as exc:
            return ref, None, f"{exc.message} {exc.hint}".strip()  # the hint says what to do
    return list(await asyncio.gather(*(one(r) for r in refs)))


def known_model(settings) -> str:
    """The model name without asking a server ('' when the server's default will be used)."""
    return settings.llm.model or ("" if settings.llm.base_url else EMBEDDED_MODEL)


async def run_generation(refs: list[Any], store, settings, variants=None, force: bool = False,
                         on_progress: Callable[[Progress], Any] | None = None, cancel: Any = None,
                         client=None, regenerate: bool = False) -> GenerationReport:
    """Generate for every ref (DatasetRef, text, or DatasetMeta) and variant (default:
    default_variants); returns the report. The LLM (and the embedded server) is only started
    when some call is not cached. regenerate: send each dataset's rejected proposals with
    their reasons back to the model (cached under a key that includes them; a dataset with
    none is asked again). Raises LLMUnavailable when the server cannot be used at all."""
    variants = _check_variants(variants or default_variants(settings))
    t0 = time.monotonic()
    loaded = await _load(list(refs), settings)
    model = client.model if client is not None and client.model else known_model(settings)
    run = _Run(store, settings, client, model, force, on_progress)
    report = GenerationReport(model=model)
    metas = []
    for ref, meta, error in loaded:
        if meta is None:
            report.datasets.append(DatasetReport(str(ref), str(ref), error=error))
            continue
        if not isinstance(ref, DatasetMeta):  # the reviewer and export read it from the store
            try:
                await run.in_store(store.save_meta, meta)
            except StoreError as exc:  # its store file is damaged: skip it, not every dataset
                report.datasets.append(DatasetReport(meta.ref.key, meta.ref.id,
                                                     error=f"{exc.message} {exc.hint}".strip()))
                continue
        metas.append(meta)
        dreport = DatasetReport(meta.ref.key, meta.ref.id)
        report.datasets.append(dreport)
        if not meta.passes:
            bad = [v.reason or v.rule for v in meta.verdicts if not v.ok and v.level == "error"]
            dreport.error = "catalog checks failed (generated anyway): " + "; ".join(bad)
    if regenerate:
        for meta in metas:
            run.feedback[meta.ref.key] = await run.in_store(rejections, store, meta)
            if not run.feedback[meta.ref.key]:
                run.again.add(meta.ref.key)
    # variant-major order: consecutive prompts share the system + demo prefix (prompt caches)
    jobs = [(meta, variant) for variant in variants for meta in metas]
    run.total = len(jobs)
    own = client is None
    try:
        if model:
            await run.prepare(metas)
        if not model or any(not skip_reason(m, v) and not run.cached_now(m, v) for m, v in jobs):
            if own:
                run.client = await asyncio.to_thread(make_client, settings.llm, settings.workspace)
            if not model:  # the server's default model: ask it, then read the cache
                run.model = report.model = await run.client.ready()
                await run.prepare(metas)
        results = await _run_jobs(run, jobs, cancel, report)
    finally:
        if own and run.client is not None:
            await run.client.aclose()
    by_key = {d.key: d for d in report.datasets}
    for (meta, _variant), result in zip(jobs, results):
        by_key[meta.ref.key].calls.append(result)
    report.wall_seconds = time.monotonic() - t0
    return report


async def _run_jobs(run: _Run, jobs, cancel: Any, report: GenerationReport) -> list[CallResult]:
    fatal: list[LLMUnavailable | StoreError] = []

    async def job(meta: DatasetMeta, variant: str) -> CallResult:
        why = skip_reason(meta, variant)
        if why:
            result = CallResult(variant, "skipped", why)
        elif await run.is_cached(meta, variant):
            result = CallResult(variant, "cached", "already generated (use --force to ask again)")
        else:
            try:
                result = await run.call(meta, variant)
            except LLMUnavailable as exc:
                fatal.append(exc)
                raise
            except StoreError as exc:
                if isinstance(exc.__cause__, OSError):  # disk full, read-only: stop paying
                    fatal.append(exc)  # for answers that cannot be kept
                raise
            except LLMError as exc:
                result = CallResult(variant, "failed", exc.message)
        run.progress(meta, result)
        return result

    tasks = [asyncio.ensure_future(job(meta, variant)) for meta, variant in jobs]
    watcher = asyncio.ensure_future(_watch(cancel, tasks)) if cancel is not None else None
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION) if tasks else None
        if fatal:
            for task in tasks:
                task.cancel()
            await run.settle(keep_sent=True)  # paid for: kept for the next run in this process
            await asyncio.gather(*tasks, return_exceptions=True)
            raise fatal[0]
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if watcher:
            watcher.cancel()
        await run.settle(keep_sent=False)  # a cancelled run: nothing left running
    out = []
    for task, (_meta, variant) in zip(tasks, jobs):
        if task.cancelled():
            report.cancelled = True
            out.append(CallResult(variant, "cancelled", "cancelled"))
        elif task.exception() is not None:
            exc = task.exception()
            out.append(CallResult(variant, "failed", f"{type(exc).__name__}: {exc}"))
        else:
            out.append(task.result())
    return out


async def _watch(cancel: Any, tasks: list[asyncio.Future]) -> None:
    while not all(t.done() for t in tasks):
        if _is_set(cancel):
            for task in tasks:
                task.cancel()
            return
        await asyncio.sleep(0.05)


def generate(refs: list[Any], store, settings, **kwargs: Any) -> GenerationReport:
    """Synchronous wrapper (CLI, TUI thread workers): runs its own event loop."""
    return asyncio.run(run_generation(refs, store, settings, **kwargs))


def estimate(metas: list[DatasetMeta], settings, variants=None, store=None,
             force: bool = False) -> Estimate:
    """Dry run: input tokens from prompt length / 4, output tokens a typical answer's, no call
    (the schema variant: one short call per skeleton)."""
    variants = _check_variants(variants or default_variants(settings))
    model = known_model(settings)
    est = Estimate(model=model or "(server default)")
    for meta in metas:
        for variant in variants:
            why = skip_reason(meta, variant)
            if why:
                est.skipped.append(f"{meta.ref.key} {variant}: {why}")
                continue
            if store is not None and not force and store.generation_done(cache_key(meta, variant, model)):
                est.cached += 1
                continue
            if variant == "schema":
                calls, tokens_in, tokens_out = estimate_calls(meta)
                est.calls, est.tokens_in = est.calls + calls, est.tokens_in + tokens_in
                est.tokens_out += tokens_out
                continue
            est.calls += 1
            est.tokens_in += estimate_tokens(build_prompt(meta, variant))
            est.tokens_out += EST_TOKENS_OUT
    est.cost_usd, est.priced = cost_usd(model, est.tokens_in, est.tokens_out, settings.llm.prices)
    return est

