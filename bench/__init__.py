"""fairexp's benchmark suite (issue 5). Run ``python -m bench --quick`` from the repository root; see README.md, "Benchmarks"."""
