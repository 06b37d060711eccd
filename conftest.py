"""Root pytest configuration. Notebook runs (`pytest --nbval notebooks/...`) compare numbers that
come out of training within each cell's stated tolerance, and fail on cells edited since their
outputs were stored: see tests/nbval_tolerance.py."""

pytest_plugins = ["tests.nbval_tolerance"]
