"""The dashboard's widgets, one per module; each redraws only when its data changed."""
