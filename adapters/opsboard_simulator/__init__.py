"""The simulated platform (`opsboard mock-api`): the platform HTTP API with realistic data.

Registered as the ``platform`` entry point of ``opsboard.simulators``
(``runner.Simulator``), which `opsboard mock-api` and the demo reach through the registry.
``runner`` starts it in a background thread (demo, tests) or in the foreground; its
options are ``options.PlatformSimulatorOptions``. The records it serves follow the wire
schema of the platform API adapter (``opsboard_api.wire``).
"""
