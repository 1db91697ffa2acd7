"""``python -m benchmarks``: run the benchmarks and write benchmarks/results/."""

from benchmarks.runner import main

raise SystemExit(main())
