"""Hydra app, run loop and sweep launcher: config → runner → agent ↔ env → recorder → results/."""
