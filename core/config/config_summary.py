"""Sacred's module name for the summary of a config (added, modified and type-changed keys, docs)."""
from core.config.summary import ConfigSummary

__all__ = ["ConfigSummary"]
