"""Unit tests of the tiny model's training code (CPU, stdlib unittest): from model-repository/tiny/training run
`python3 -m unittest discover -s tests -t .` (scripts/test-python does)."""
import os

TRAINING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_REPO = os.path.dirname(TRAINING)
REPO_ROOT = os.path.dirname(os.path.dirname(TINY_REPO))
