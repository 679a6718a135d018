"""The GPS position pipeline: its steps are listed, in order, in pipeline.py."""
