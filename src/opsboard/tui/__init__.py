"""The dashboard: a Textual app over the store (``make_app`` builds it)."""
