"""The query engine: every figure computed once, here (scope, levels, reading, derived
metrics, the single-level and cached paths used by the alert engine)."""
