"""opsboard's bundled drop-folder adapter: export files dropped into watched folders.

Registered as the `csv` entry point of `opsboard.adapters` (`adapter.CsvDropAdapter`), exactly
like a third-party adapter. `canonical` reads opsboard's own long CSV; `reader` the platform
export formats; `watcher` decides when a dropped file is complete.
"""
