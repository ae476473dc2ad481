"""The platform API adapter (`type = "api"`).

``adapter`` holds the adapter, registered as the ``api`` entry point of
``opsboard.adapters``: it polls a platform's HTTP JSON API (the simulated platform of
``opsboard_simulator`` among them).
"""
