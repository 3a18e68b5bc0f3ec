"""CPU tests of the xcomposer-7b repository at scaled-down sizes (python3 -m unittest discover -s tests -t .)."""
