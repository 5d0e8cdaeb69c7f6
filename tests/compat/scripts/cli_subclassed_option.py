"""Custom options in Sacred's older style: subclasses of CommandLineOption (a flag and one with a value)."""
from sacred import Experiment
from sacred.commandline_options import CommandLineOption
from sacred.observers import FileStorageObserver


class OwnFlag(CommandLineOption):
    """Mark the run as special."""

    short_flag = "x"

    @classmethod
    def apply(cls, args, run):
        run.info["own_flag"] = args


class TagOption(CommandLineOption):
    """Tag the run."""

    arg = "TAG"
    arg_description = "the tag to add"

    @classmethod
    def apply(cls, args, run):
        run.meta_info.setdefault("tags", []).append(args)


print(OwnFlag.get_flags(), TagOption.get_flags(), TagOption.arg)
ex = Experiment("subclassed")
ex.observers.append(FileStorageObserver("runs"))


@ex.automain
def main(_run):
    print("info", _run.info, "tags", _run.meta_info.get("tags"))
