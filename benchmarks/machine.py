"""Is the machine idle enough for timings to be results? Shared by the benchmarks.

Every timing row records the one-minute load, whether the machine counted as busy and the thread
count; a benchmark refuses to start while anything else runs (`refuse_if_busy`).
"""

import os
import time
from pathlib import Path

BUSY_LOAD = 1.5  # one-minute load above this (a benchmark adds 1): someone else is running


def load() -> dict:
    """The machine's one-minute load and whether it counts as busy, for every result row."""
    one_minute = os.getloadavg()[0]
    return {"load_1min": round(one_minute, 2), "busy": one_minute > BUSY_LOAD, "threads": 1}


def cores_in_use(seconds: float = 2.0) -> float:
    """How many cores were busy over the last `seconds` (from /proc/stat): a load average lags
    by minutes, this says whether anything is running now."""

    def ticks():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total_0, idle_0 = ticks()
    time.sleep(seconds)
    total_1, idle_1 = ticks()
    return os.cpu_count() * (1 - (idle_1 - idle_0) / max(1, total_1 - total_0))


def refuse_if_busy(allowed: bool) -> None:
    """Stop with a message when more than half a core is in use, unless `allowed`."""
    in_use = cores_in_use()
    if in_use > 0.5 and not allowed:
        raise SystemExit(
            f"the machine is busy ({in_use:.1f} cores in use): timings would not be results. "
            "Wait, or pass --allow-busy (every row records the load)."
        )
