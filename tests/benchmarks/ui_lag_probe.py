#!/usr/bin/env python
"""Where the event loop of the app stalls once a folder is loaded, and on what.

Run: ``python tests/benchmarks/ui_lag_probe.py --folder runs20k [--seconds 30] [--keys 12]``.
Opens the folder through Textual's pilot; once every column is filled, a coroutine sleeps 10 ms
over and over for ``--seconds`` and records how late it wakes (the lag a key would meet), while a
key is pressed every 0.25 s for the first ``--keys`` seconds. Prints the worst lags, the full
garbage collections (when, how long, in which thread) and, for lags over 30 ms, what the UI thread
was running (sampled every 5 ms). Remove the folder's ``_sacred-tui`` first for a first opening.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import sys
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_tui_table import _press, _table_has_store_rows, _wait  # noqa: E402


class Collections:
    """Full collections: (start, seconds, thread name)."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, float, str]] = []
        self._start = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seen.append((self._start, time.perf_counter() - self._start, threading.current_thread().name))


class StallSampler:
    """Samples the UI thread's stack while the loop is late."""

    def __init__(self, late_after: float = 0.03) -> None:
        self.beat = time.perf_counter()
        self.late_after = late_after
        self.stacks: collections.Counter[str] = collections.Counter()
        self._ui = threading.main_thread().ident
        self._stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            if time.perf_counter() - self.beat > self.late_after:
                frame = sys._current_frames().get(self._ui)
                ours = [f"{Path(entry.filename).name}:{entry.name}" for entry in traceback.extract_stack(frame)
                        if "sacred_tui" in entry.filename or "textual" in entry.filename]
                self.stacks[" < ".join(reversed(ours[-8:]))] += 1


async def probe(folder: Path, seconds: float, keys: float) -> None:
    from sacred_tui.app import SacredTuiApp
    from sacred_tui.screens.runs import RunsScreen

    collections_seen = Collections()
    app = SacredTuiApp(folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, RunsScreen) and len(app.store) > 0
                    and not app.store.pending and _table_has_store_rows(app.screen.table, app.store),
                    timeout=300)
        begin = time.perf_counter()
        sampler = StallSampler()
        sampler.start()
        lags: list[tuple[float, float]] = []
        next_key = begin
        while (now := time.perf_counter()) - begin < seconds:
            sampler.beat = now
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - now - 0.01, now - begin))
            if now - begin < keys and now >= next_key:
                next_key = now + 0.25
                _press(app, "down")
        sampler.stop()
    lags.sort(reverse=True)
    print("worst lags (ms @ s after the load):", " ".join(f"{lag * 1000:.0f}@{at:.1f}" for lag, at in lags[:10]))
    print(f"lags over 50 ms: {sum(lag > 0.05 for lag, _ in lags)} of {len(lags)}")
    print("full collections (s after the load, ms, thread):",
          [(round(start - begin, 1), round(spent * 1000), name) for start, spent, name in collections_seen.seen
           if start >= begin])
    for stack, count in sampler.stacks.most_common(8):
        print(f"{count:4d} {stack}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--keys", type=float, default=12.0, help="press keys during the first this many seconds")
    args = parser.parse_args()
    asyncio.run(probe(args.folder, args.seconds, args.keys))


if __name__ == "__main__":
    main()
