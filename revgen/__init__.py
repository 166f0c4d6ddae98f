"""revgen: the revenue-funnel warehouse."""

__version__ = "0.1.0"
