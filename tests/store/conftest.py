"""Storage tests use the `store` fixture of tests/conftest.py: once per backend."""
