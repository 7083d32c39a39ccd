"""The catalog: what is embedded and indexed (`indexing`), and upload with background embedding (`service`)."""

__all__ = ()
