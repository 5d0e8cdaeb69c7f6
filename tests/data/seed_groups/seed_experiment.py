"""A tiny training loop run with several seeds per config, to give seed groups real Sacred files.

Each run also stores its loss curve as a small PNG artifact (written with zlib, no imaging library).
"""
import os
import struct
import tempfile
import zlib

from sacred import Experiment
from sacred.observers import FileStorageObserver

ex = Experiment("seeds")


@ex.config
def config():
    lr = 0.1
    optimizer = "sgd"
    shuffle = True
    steps = 20


def write_png(path, losses, height=24):
    """A white image with the loss curve drawn in blue, one column per step (scaled up 3x)."""
    width = len(losses) * 3
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            level = height - 1 - int(losses[x // 3] * (height - 1))
            row += bytes((30, 90, 200)) if y >= level else bytes((255, 255, 255))
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


@ex.automain
def main(lr, optimizer, shuffle, steps, _run, _rnd):
    loss = 1.0
    losses = []
    for step in range(steps):
        loss *= 1 - lr * (0.5 + _rnd.random())
        losses.append(loss)
        _run.log_scalar("loss", loss, step)
        _run.log_scalar("acc", 1 - loss / 2, step)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "curve.png")
        write_png(path, losses)
        _run.add_artifact(path, "curve.png")
    return loss
