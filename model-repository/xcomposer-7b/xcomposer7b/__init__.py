"""InternLM-XComposer-7B on Triton: model code, conversion and engines shared by the python-backend models."""
