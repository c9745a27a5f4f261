"""Periodic work: ``python -m app.jobs`` (loop, compose service) or ``python -m app.jobs run-once NAME``."""
