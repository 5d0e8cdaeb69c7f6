"""A local module of the many_runs script: one of its sources."""


def describe(layers):
    return "layers " + "x".join(map(str, layers))
