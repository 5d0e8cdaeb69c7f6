"""Provides ``LogFileWriter``: while it is active, every ``tf.summary.FileWriter`` created adds its log
directory to ``experiment.info["tensorflow"]["logdirs"]``. TensorFlow is imported only when it is used."""
from __future__ import annotations

from contextlib import ContextDecorator
from typing import Any

from core.stflow.internal import ContextMethodDecorator


class LogFileWriter(ContextDecorator, ContextMethodDecorator):
    """Use as ``with LogFileWriter(ex): ...`` or as a decorator ``@LogFileWriter(ex)``, during a run."""

    def __init__(self, experiment: Any) -> None:
        self.experiment = experiment
        file_writer = _file_writer_class()

        def log_writer_decorator(instance: Any, original_method: Any, original_args: tuple,
                                 original_kwargs: dict) -> Any:
            result = original_method(instance, *original_args, **original_kwargs)
            logdir = original_kwargs["logdir"] if "logdir" in original_kwargs else original_args[0]
            self.experiment.info.setdefault("tensorflow", {}).setdefault("logdirs", []).append(logdir)
            return result

        ContextMethodDecorator.__init__(self, file_writer, "__init__", log_writer_decorator)


def _file_writer_class() -> Any:
    from core.utils import module_exists
    if not module_exists("tensorflow"):
        raise AttributeError("LogFileWriter needs TensorFlow (tf.summary.FileWriter), which is not installed.")
    from core.optional import get_tensorflow
    return get_tensorflow().summary.FileWriter
