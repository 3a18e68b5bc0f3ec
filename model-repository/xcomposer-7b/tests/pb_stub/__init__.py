"""Test-only stand-in for Triton's python backend module; see triton_python_backend_utils.py."""
