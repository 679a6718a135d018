"""Positions over time: monthly partitions, the GeoParquet archive of closed months, reading it back."""
