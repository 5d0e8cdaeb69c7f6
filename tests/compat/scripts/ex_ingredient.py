"""An ingredient with two config scopes, a command, a named config of the experiment that sets its values."""
from sacred import Experiment, Ingredient

data_ingredient = Ingredient("dataset")


@data_ingredient.config
def cfg1():
    filename = "my_dataset.npy"  # dataset filename
    normalize = True  # normalize dataset


@data_ingredient.capture
def load_data(filename, normalize):
    print("loading dataset from '{}'".format(filename))
    if normalize:
        print("normalizing dataset")
        return 1
    return 42


@data_ingredient.command
def stats(filename, foo=12):
    """Print statistics of the dataset."""
    print('Statistics for dataset "{}":'.format(filename))
    print("mean = 42.23")
    print("foo=", foo)


@data_ingredient.named_config
def small():
    """Use the small file."""
    filename = "small.npy"


@data_ingredient.config
def cfg2():
    filename = "foo.npy"


empty = Ingredient("empty")


@empty.capture
def nothing_to_configure(_log):
    _log.info("empty ingredient function")


ex = Experiment("my_experiment", ingredients=[data_ingredient, empty])


@ex.config
def cfg3():
    a = 12
    b = 42


@ex.named_config
def fbb():
    a = 22
    dataset = {"filename": "AwwwJiss.py"}


@ex.automain
def run():
    data = load_data()  # just use the function
    nothing_to_configure()
    print("data={}".format(data))
    print([name for name, _ in ex.gather_commands()])
    print([name for name, _ in ex.gather_named_configs()])
    print([name for name, _ in data_ingredient.gather_commands()])
