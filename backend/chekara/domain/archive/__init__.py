"""The positions archive: calendar months, their partitions, when a month is closed (pure)."""
