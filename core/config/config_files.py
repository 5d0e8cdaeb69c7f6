"""Sacred's module name for reading and writing config files (.json, .yaml/.yml, .pickle)."""
from core.config.loaders import load_config_file, save_config_file

__all__ = ["load_config_file", "save_config_file"]
