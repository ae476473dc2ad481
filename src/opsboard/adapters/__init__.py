"""The plugin API for data-source adapters (``api``) and the registry of installed ones."""
