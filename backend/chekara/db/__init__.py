"""Storage: the embedded cluster, the engine, and the ORM models."""
