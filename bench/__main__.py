"""`make bench`: every performance figure of docs/performance.md, printed in the order of that page."""

from __future__ import annotations

import subprocess
import sys

PARTS = ["bench.rules_bench", "bench.recommend_bench", "bench.search_bench", "bench.site_bench", "bench.api_bench",
         "bench.mixed_bench"]


def main() -> int:
    extra = sys.argv[1:]
    for module in PARTS:
        print(f"\n## {module}\n", flush=True)
        code = subprocess.call([sys.executable, "-m", module, *extra])
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
