"""Extra source code recorded with the run."""
VALUE = 1
