"""Ingredients using ingredients: scope parameters read sub-ingredient configs; dotted ingredient paths."""
from sacred import Experiment, Ingredient

s = Ingredient("settings")


@s.config
def cfg1():
    verbose = True


data_paths = Ingredient("dataset.paths", ingredients=[s])


@data_paths.config
def cfg2(settings):
    v = not settings["verbose"]
    base = "/home/sacred/"


data = Ingredient("dataset", ingredients=[data_paths, s])


@data.config
def cfg3(paths):
    basepath = paths["base"] + "datasets/"
    filename = "foo.hdf5"


@data.capture
def foo(basepath, filename, paths, settings):
    print(paths)
    print(settings)
    return basepath + filename


ex = Experiment("modular_example", ingredients=[data, data_paths])


@ex.config
def cfg(dataset):
    a = 10
    b = 17
    c = a + b
    out_base = dataset["paths"]["base"] + "outputs/"
    out_filename = dataset["filename"].replace(".hdf5", ".out")


@ex.automain
def main(a, b, c, out_base, out_filename, dataset):
    print("a =", a)
    print("b =", b)
    print("c =", c)
    print("out_base =", out_base, out_filename)
    print("foo()", foo())
