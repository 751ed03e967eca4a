"""Synthetic national data for benchmarks and demos (`flask demo generate`)."""
