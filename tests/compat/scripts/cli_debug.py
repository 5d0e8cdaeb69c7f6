"""Log levels: -l DEBUG shows the start and end of every captured function."""
from sacred import Experiment, Ingredient

data = Ingredient("data")


@data.config
def data_cfg():
    n = 3


@data.capture
def load(n):
    return list(range(n))


ex = Experiment("debugging", ingredients=[data])


@ex.capture
def helper(x=1):
    return x


@ex.automain
def main():
    print(load(), helper())
