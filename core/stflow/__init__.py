"""Sacred's ``sacred.stflow``: ``LogFileWriter`` records TensorFlow summary log directories in the run info."""
from core.stflow.method_interception import LogFileWriter

__all__ = ["LogFileWriter"]
