"""Many runs of one experiment in one process, as a sweep makes them: each run's files are those Sacred writes,
also when a source file changes between two runs."""
from sacred import Experiment
from sacred.observers import FileStorageObserver

import many_runs_helper

ex = Experiment("many_runs")
ex.observers.append(FileStorageObserver("runs"))


@ex.config
def cfg():
    idx = 0
    lr = 0.01
    layers = [64, 32]
    data = {"name": "mnist", "batch_size": 32}


@ex.main
def main(_run, idx, lr, layers):
    print("run", idx, many_runs_helper.describe(layers))
    loss = 1.0
    for step in range(20):
        loss = loss * (1.0 - lr) + 0.001 * ((idx * 7 + step) % 13)
        _run.log_scalar("loss", loss, step)
        if step % 5 == 0:
            _run.log_scalar("acc", step / 20)
    _run.info["final_loss"] = loss
    name = "summary_%d.txt" % idx
    with open(name, "w") as handle:
        handle.write("run %d loss %.6f\n" % (idx, loss))
    _run.add_artifact(name, name="summary.txt")
    return loss


if __name__ == "__main__":
    for index in range(4):
        if index == 2:  # the helper changes on disk between two runs of the same process
            with open("many_runs_helper.py", "a") as handle:
                handle.write("# changed before run 3\n")
        run = ex.run(config_updates={"idx": index, "lr": 0.001 * (1 + index), "seed": 100 + index})
        print(run._id, run.status, round(run.result, 6))
