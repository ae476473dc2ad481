"""Collection: the collector that polls adapters into the store, the collect -> evaluate ->
notify pipeline, one-off ingest of files, and collecting inside the dashboard's process."""
