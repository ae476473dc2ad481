"""The platform API adapter (`type = "api"`) and the simulated platform it can poll.

``adapter`` holds the adapter, registered as the ``api`` entry point of
``opsboard.adapters``; ``runner`` starts the simulated platform (``opsboard mock-api``,
``PlatformApiAdapter.start_simulator``). The server side imports FastAPI and uvicorn only
when a simulated platform is started.
"""
