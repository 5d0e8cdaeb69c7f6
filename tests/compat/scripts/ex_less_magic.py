"""No magic: a config dict, main reads _config, ex.run() called by hand, artifacts, resources, info, metrics."""
from sacred import Experiment
from sacred.observers import FileStorageObserver

ex = Experiment("svm")
ex.observers.append(FileStorageObserver("runs"))
ex.add_config({"C": 1.0, "gamma": 0.7, "kernel": "rbf", "seed": 42})


def get_model(C, gamma, kernel):
    return {"C": C, "gamma": gamma, "kernel": kernel}


@ex.main
def run(_config, _run):
    model = get_model(_config["C"], _config["gamma"], _config["kernel"])
    with open("model.txt", "w") as handle:
        handle.write(repr(model))
    _run.add_artifact("model.txt")
    _run.add_artifact("model.txt", name="model_copy.txt")
    with open("data.csv", "w") as handle:
        handle.write("a,b\n1,2\n")
    with _run.open_resource("data.csv") as handle:
        print(handle.read().strip())
    _run.info["model"] = model
    _run.info["tuple"] = (1, 2)
    for step in range(3):
        _run.log_scalar("loss", 1.0 / (step + 1))
        ex.log_scalar("acc", step / 10, step * 10)
    return model["C"] * 2


if __name__ == "__main__":
    r = ex.run(config_updates={"C": 2.0}, meta_info={"comment": "by hand"})
    print(r.result, r.status, r.config["C"], sorted(r.meta_info))
