#!/usr/bin/env python3
"""Do a build's progress estimates converge? Records every progress call of a real build
with its time, then replays them through the estimates the progress bar shows
(`render._BuildState`) and, for comparison, through the estimates diplosearch showed
before (passages scaled by files read; time left at the overall rate).

    python scripts/measure_estimates.py [--files N] [--corpus DIR] [--no-multilingual]
                                        [--save EVENTS.json | --replay EVENTS.json]

Builds the first N files (default: all 1,600) of the 2020 Security Council speeches into a
temporary index with the default model, as `diplosearch index build` does. Prints, for
each estimator, the worst ratio of the expected passage count to the final one once 10 %
of the files are read (target <= 1.5) and the worst ratio, either way, of the time left it
shows to the time the build really still took, from the first minute on (target <= 2).
`--save` keeps the recorded calls, `--replay` reads them instead of building.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import diplosearch as ds
from diplosearch.render import _BuildState

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"


class Before(_BuildState):
    """The estimates as diplosearch made them before: by files read, overall rate."""

    def expected(self) -> int:
        if self.files and self.files < self.total_files:
            return max(self.embedded, round(self.planned * self.total_files / self.files))
        return max(self.planned, self.embedded)

    def seconds_left(self) -> float | None:
        rest = self.expected() - self.embedded
        return rest / self.rate() if rest > 0 and self.embedded else None


def record(files: list[Path], multilingual: bool) -> tuple[list[tuple[float, str, int]], float]:
    events: list[tuple[float, str, int]] = []
    started = time.monotonic()

    def progress(kind: str, n: int) -> None:
        events.append((time.monotonic() - started, kind, n))

    with tempfile.TemporaryDirectory() as home:
        ds.build_index(files, Path(home) / "estimates", progress=progress,
                       multilingual=None if multilingual else False)
    return events, time.monotonic() - started


def replay(kind: type[_BuildState], events, total: float, files: int) -> dict:
    state, now = kind(), [0.0]
    state.clock, state.start = (lambda: now[0]), 0.0
    seen = []
    for at, what, n in events:
        now[0] = at
        state.update(what, n)
        seen.append((at, state.files, state.expected(), state.seconds_left()))
    final = state.embedded
    counts = [e / final for _, read, e, _ in seen if read >= 0.1 * files]
    lefts = [(left / (total - at), total - at) for at, _, _, left in seen
             if at >= 60 and left is not None and total - at > 0]
    return {"final": final, "counts": counts, "lefts": lefts, "seen": seen}


def report(name: str, result: dict, total: float) -> None:
    counts, lefts = result["counts"], result["lefts"]
    print(f"{name}:")
    print(f"  expected / final passages after 10 % of files: max {max(counts):.2f}, "
          f"min {min(counts):.2f} (target: max <= 1.5)")
    for floor in (0, 30):
        ratios = [r for r, true in lefts if true >= floor]
        if not ratios:
            continue
        worst = max(max(ratios), 1 / min(ratios))
        print(f"  time left shown / true, from the first minute"
              f"{f' while >= {floor} s remain' if floor else ''}: max {max(ratios):.2f}, "
              f"min {min(ratios):.2f}; worst either way {worst:.2f} (target <= 2)")
    if not lefts:
        print("  no time-left estimate after the first minute (the build was shorter)")
    for share in (0.1, 0.25, 0.5, 0.75):
        at, read, expected, left = next(s for s in result["seen"] if s[0] >= share * total)
        shown = "-" if left is None else f"{left:.0f} s"
        print(f"  at {at:5.0f} s ({read} files read): expected {expected}, left {shown} "
              f"(true {total - at:.0f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=None, help="the first N files only")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-multilingual", action="store_true")
    parser.add_argument("--save", type=Path, help="write the recorded calls to this file")
    parser.add_argument("--replay", type=Path, help="replay calls saved by --save")
    args = parser.parse_args()
    if args.replay:
        saved = json.loads(args.replay.read_text(encoding="utf-8"))
        events, total, count = [tuple(e) for e in saved["events"]], saved["total"], saved["files"]
    else:
        files = sorted(p for p in args.corpus.iterdir() if p.suffix == ".txt")[:args.files]
        events, total, count = *record(files, not args.no_multilingual), len(files)
        if args.save:
            args.save.write_text(json.dumps({"events": events, "total": total, "files": count}))
    print(f"built {count} files in {total:.0f} s "
          f"({sum(n for _, k, n in events if k == 'passages')} passages embedded)")
    for name, kind in (("now (by bytes, rate since the first batch)", _BuildState),
                       ("before (by files, overall rate)", Before)):
        report(name, replay(kind, events, total, count), total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
