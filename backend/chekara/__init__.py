"""Chekara: the platform of Kyrgyzstan's customs situation center."""

__version__ = "0.1.0"
