"""Bytes in and out for scripts: YAML, CSV, JSON, Markdown (no Rich, no typer)."""
