"""The Textual-free data behind each dashboard screen, read from the store in worker
threads; ``opsboard.tui`` only draws it."""
