"""Sacred's module name for the signature analysis of captured functions."""
from core.capture import Signature

__all__ = ["Signature"]
