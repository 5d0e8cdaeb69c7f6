"""FileStorageObserver's helpers, called by a subclass and by the main function."""
import json

from sacred import Experiment
from sacred.observers import FileStorageObserver


class JsonExtra(FileStorageObserver):
    def completed_event(self, stop_time, result):
        self.save_json({"result": result, "pair": (1, 2)}, "extra.json")
        super().completed_event(stop_time, result)


observer = JsonExtra("runs")
ex = Experiment("fs_methods")
ex.observers.append(observer)


@ex.automain
def main(_run):
    with open("weights.bin", "wb") as handle:
        handle.write(b"\x00\x01\x02")
    observer.save_file("weights.bin")
    observer.save_file("weights.bin", "renamed.bin")
    try:
        observer.save_file("weights.bin", "run.json")
    except FileExistsError:
        print("refused run.json")
    stored = observer.find_or_save("weights.bin", observer.resource_dir)
    print(str(stored).replace(observer.basedir, "<base>")[:20])
    print(json.dumps(observer.save_sources(_run.experiment_info)).count("fs_methods"))
    observer.render_template()
    return 7
