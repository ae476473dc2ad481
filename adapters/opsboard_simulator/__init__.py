"""The simulated platform (`opsboard mock-api`): the platform HTTP API with realistic data.

``runner`` starts it in a background thread (demo, tests) or in the foreground. The server
side imports FastAPI and uvicorn only when a simulated platform is started.
"""
