"""Custom command-line options, option hooks, extra sources, dependencies and host info, config files."""
from sacred import SETTINGS, Experiment, cli_option, host_info_gatherer

SETTINGS.HOST_INFO.CAPTURED_ENV.append("COMPAT_ENV")


@cli_option("-o", "--own-flag", is_flag=True)
def own_flag(args, run):
    """Mark the run with an info entry."""
    run.info["own_flag"] = args


@cli_option("-w", "--with-value")
def with_value(args, run):
    """Store a value in the run info."""
    run.info["with_value"] = args


@host_info_gatherer("answer")
def answer():
    return 42


ex = Experiment("options", additional_cli_options=[own_flag, with_value], additional_host_info=[answer])
ex.add_source_file("extra_source.py")
ex.add_package_dependency("flask", "2.0.1")
ex.add_config("defaults.json")
ex.add_named_config("fast", "fast.yaml")


@ex.option_hook
def hook(options):
    options["--comment"] = options["--comment"] or "set by the option hook"


@ex.config
def cfg():
    steps = 3


@ex.automain
def main(steps, lr, _run):
    print(steps, lr, sorted(_run.info))
    return steps * lr
