"""The dashboard's screens: Overview, SKU movers, help and the small prompts."""
