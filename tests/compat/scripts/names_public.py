"""Every public module and name of Sacred that scripts import."""
import copy

import sacred
from sacred import (SETTINGS, Experiment, Ingredient, cli_option, host_info_gatherer, host_info_getter,
                    observers)
from sacred.commandline_options import cli_option as cli_option2
from sacred.config import ConfigDict, ConfigScope, load_config_file, save_config_file
from sacred.host_info import get_host_info, host_info_gatherers
from sacred.observers import (FileStorageObserver, GoogleCloudStorageObserver, MongoObserver,
                              QueuedMongoObserver, QueueObserver, RunObserver, S3Observer, SlackObserver,
                              SqlObserver, TelegramObserver, TinyDbObserver, TinyDbReader)
from sacred.optional import has_numpy, optional_import
from sacred.randomness import create_rnd, get_seed, set_global_seed
from sacred.run import Run
from sacred.settings import SETTINGS as SETTINGS2
from sacred.stflow import LogFileWriter
from sacred.utils import (CircularDependencyError, ConfigAddedError, ConfigError, InvalidConfigError,
                          MissingConfigError, NamedConfigNotFoundError, ObserverError, SacredError,
                          SacredInterrupt, SignatureError, TimeoutInterrupt, apply_backspaces_and_linefeeds,
                          convert_to_nested_dict, get_by_dotted_path, iter_prefixes, iterate_flattened,
                          join_paths, recursive_update, set_by_dotted_path)

print(SETTINGS is SETTINGS2, cli_option is cli_option2, has_numpy, optional_import("json")[0])
SACRED_ALL = ["Experiment", "Ingredient", "observers", "host_info_getter", "__version__", "__author__",
              "__author_email__", "__url__", "SETTINGS", "host_info_gatherer", "cli_option"]
print([name for name in SACRED_ALL if name not in sacred.__all__ or not hasattr(sacred, name)])
print(list(iter_prefixes("a.b.c")), join_paths("a", "", "b"), get_by_dotted_path({"a": {"b": 1}}, "a.b"))
print(convert_to_nested_dict({"a.b": 1}), recursive_update({"a": {"b": 1}}, {"a": {"c": 2}}))
print(sorted(iterate_flattened({"a": {"b": 1}, "c": 2})))
d = {}
set_by_dotted_path(d, "x.y", 3)
print(d, type(get_seed()).__name__, type(get_seed(create_rnd(1))).__name__, get_seed(create_rnd(1)))
for cls in (ConfigAddedError, InvalidConfigError, MissingConfigError, NamedConfigNotFoundError,
            SignatureError, CircularDependencyError, ObserverError, TimeoutInterrupt):
    print(cls.__name__, [base.__name__ for base in cls.__mro__[1:-2]])

ex = Experiment("names")
print(sorted(ex.get_default_options().items()))
print(ex.post_process_name("names.cmd", ex), ex.post_process_name("other.cmd", Ingredient("other")))
print(type(ex.sources).__name__, type(ex.dependencies).__name__, type(observers).__name__)


@host_info_gatherer("my_key")
def my_key():
    return 42


for observer in (MongoObserver, QueuedMongoObserver, SqlObserver, TinyDbObserver, S3Observer,
                 GoogleCloudStorageObserver, SlackObserver, TelegramObserver, QueueObserver, TinyDbReader):
    print(observer.__name__, issubclass(observer, RunObserver) if isinstance(observer, type) else None)


@ex.automain
def main(_run):
    print(isinstance(_run, Run), callable(_run.warn_if_unobserved))
    try:
        with LogFileWriter(ex):
            print("inside LogFileWriter")
    except AttributeError:
        print("LogFileWriter needs TensorFlow")
    print(hasattr(SETTINGS, "nope"), "nope" in SETTINGS.CONFIG, SETTINGS.CONFIG.READ_ONLY_CONFIG)
    print(copy.deepcopy(SETTINGS) == SETTINGS, isinstance(copy.deepcopy(SETTINGS), dict))
    try:
        SETTINGS.NOT_A_SETTING = 1
    except Exception as error:  # noqa: BLE001
        print(type(error).__name__, isinstance(error, KeyError), isinstance(error, AttributeError))
    try:
        SETTINGS.CONFIG = 3
    except Exception as error:  # noqa: BLE001
        print(type(error).__name__)
    print(SETTINGS.CONFIG.NUMPY_RANDOM_LEGACY_API, SETTINGS["CAPTURE_MODE"], sorted(SETTINGS.HOST_INFO))
