"""Runnable examples of the agents used from your own Gymnasium loop (no harness involved)."""
