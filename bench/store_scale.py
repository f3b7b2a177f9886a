"""The store at scale: `dynotui import-tasks` of 100,000 tasks, then `dynotui stats` on them
(goals: <= 30 s and <= 2 s).

    python bench/store_scale.py [--tasks 100000] [--small 10000] [--runs 3] [--before DIR]
                                [--distinct]

The task list is the released Dynosaur list (DYNOSAUR_TASKS, default
/work/shared/data/dynosaur-instructions-full.json, 5,740 tasks) repeated under other dataset
names (`r1/glue-sst2`, ...) until it holds --tasks entries; with --distinct each copy's
instructions get ' (set N)' appended (the released list's own repeats stay, none across
copies). Each command runs as a user runs it (a new process: `python -m dynotui ...`), timed
wall-clock and CPU (user+sys of the child).
Baselines from the same run: the same commands on --small tasks, and a plain json.load of
the big list. `stats` runs --runs times (the first after import reads the cache the import
left; the median is printed), then --runs times more with near-duplicate groups on file for
the proposals (`stats+groups`: as after `similar --groups`; stats checks that they still fit). The load average is printed before and after; under load wall
time stretches (2 cores shared), so CPU (user+sys) is printed beside it and each figure is
also given as a ratio to its baseline: per-task cost vs the small run (1.0x: linear), and the
import as a multiple of parsing the list with json.load. --before DIR (another checkout, e.g.
`git worktree add DIR COMMIT`) runs the big case with that code too, in the same run, and
prints this code's figures as a ratio to it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from shareddata import release_file  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from benchenv import installed  # noqa: E402

RELEASE = Path(os.environ.get("DYNOSAUR_TASKS") or release_file())


def task_list(n: int, distinct: bool = False) -> list[dict]:
    base = json.loads(RELEASE.read_text())
    out, copy = [], 0
    while len(out) < n:
        for entry in base:
            if len(out) == n:
                break
            entry = dict(entry)
            if copy:
                entry["task_name"] = f"r{copy}/{entry['task_name']}"
                if distinct:  # no instruction of one copy repeats in another
                    entry["instruction"] = f"{entry['instruction']} (set {copy})"
            out.append(entry)
        copy += 1
    return out


def child_env(code: Path) -> dict[str, str]:
    return installed({**os.environ, "PYTHONPATH": str(code), "DYNOTUI_CONFIG": os.devnull})


def check_code(code: Path) -> None:
    """Children run in `code` itself: `python -m` puts the working folder first on sys.path,
    so a child started elsewhere (say in another checkout) would import that one's dynotui."""
    found = subprocess.run([sys.executable, "-c", "import dynotui; print(dynotui.__file__)"],
                           env=child_env(code), cwd=code, capture_output=True, text=True,
                           check=True).stdout.strip()
    if not Path(found).resolve().is_relative_to(code.resolve()):
        sys.exit(f"a child run for {code} imported {found}")


def run(*argv: str, code: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one dynotui command of the checkout `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dynotui", *argv], env=child_env(code),
                          cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"dynotui {' '.join(argv)} failed:\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# Near-duplicate groups on file for exactly the live proposals (two made-up groups: `stats`
# reads them when their key, a hash of the live ids, matches); written by `code` itself.
SAVE_GROUPS = """
import json, sys
from pathlib import Path
from dynotui.core.embed.groups import NearGroups
from dynotui.core.embed.workspace import _groups_path, _ids_key, live_proposals
from dynotui.core.store import Store
store = Store(sys.argv[1])
ids = sorted(p.id for p in live_proposals(store)[0])
path = _groups_path(Path(sys.argv[1]), None, 0.9)
path.parent.mkdir(parents=True, exist_ok=True)
groups = NearGroups(0.9, "m", len(ids), [ids[:3], ids[3:5]], [0.93, 0.91], [3, 2])
path.write_text(json.dumps({"key": _ids_key(ids), **groups.to_dict()}))
"""


def save_groups(ws: Path, code: Path) -> None:
    subprocess.run([sys.executable, "-c", SAVE_GROUPS, str(ws)], env=child_env(code), cwd=code,
                   check=True)


def measure(tmp: Path, n: int, runs: int, code: Path = ROOT, distinct: bool = False
            ) -> dict[str, tuple[float, float]]:
    path = tmp / f"tasks-{n}.json"
    if not path.exists():
        path.write_text(json.dumps(task_list(n, distinct)))
    ws = tmp / f"ws-{n}-{code.name}"
    check_code(code)
    out = {"import": run("import-tasks", str(path), "--workspace", str(ws), code=code)}
    stats = [run("stats", "--json", "--workspace", str(ws), code=code) for _ in range(runs)]
    out["stats"] = (statistics.median(s[0] for s in stats), statistics.median(s[1] for s in stats))
    save_groups(ws, code)  # as `similar --groups` leaves them (untimed)
    stats = [run("stats", "--json", "--workspace", str(ws), code=code) for _ in range(runs)]
    out["stats+groups"] = (statistics.median(s[0] for s in stats),
                           statistics.median(s[1] for s in stats))
    t = time.perf_counter()
    json.loads(path.read_bytes())
    out["json.load"] = (time.perf_counter() - t, 0.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", type=Path, metavar="DIR",
                    help="another checkout to measure the big case with, for a same-run ratio")
    ap.add_argument("--distinct", action="store_true",
                    help="each copy's instructions made distinct (' (set N)' appended): no "
                         "repeats across copies, so no check is answered from a cache")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(Path(tmp), args.small, args.runs, distinct=args.distinct)
        big = measure(Path(tmp), args.tasks, args.runs, distinct=args.distinct)
        old = measure(Path(tmp), args.tasks, args.runs, args.before.resolve(), args.distinct) \
            if args.before else None
    scale = args.tasks / args.small
    print(f"{'':12} {args.small:>8,} tasks (wall / cpu)  {args.tasks:>8,} tasks (wall / cpu)  "
          "per task vs small (wall / cpu)")
    for key in ("import", "stats", "stats+groups", "json.load"):
        (sw, sc), (bw, bc) = small[key], big[key]
        cpu = f"{bc / sc / scale:4.2f}x" if sc else "  -"
        print(f"{key:12} {sw:9.2f} s / {sc:6.2f} s      {bw:9.2f} s / {bc:6.2f} s       "
              f"{bw / sw / scale:4.2f}x / {cpu}")
    load = big["json.load"][0]
    print(f"import of {args.tasks:,} tasks = {big['import'][0] / load:,.0f}x its json.load "
          f"({load:.2f} s); stats = {big['stats'][0] / load:,.1f}x")
    if old is not None:
        for key in ("import", "stats", "stats+groups"):
            (ow, oc), (bw, bc) = old[key], big[key]
            print(f"{key:12} {args.before}: {ow:.2f} s / {oc:.2f} s; this code takes "
                  f"{bw / ow:.2f}x the wall time, {bc / oc:.2f}x the CPU")
    print(f"goals: import <= 30 s, stats <= 2 s at {args.tasks:,} tasks "
          f"(stats is the median of {args.runs} runs)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
