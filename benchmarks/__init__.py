"""`make bench`: measurements with ratios. Each `bench_*.py` module has a `main() -> None` that prints."""
