"""村务公开发布器: village affairs disclosure records in, dated public notices out."""

__version__ = "0.1.0"
