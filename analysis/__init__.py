"""Aggregate run folders into the benchmark table and learning curves (pandas, matplotlib)."""
