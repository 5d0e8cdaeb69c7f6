#!/bin/sh
# Writes runs/ with real sacred==0.8.7: two learning rates x three seeds, and one run that differs
# in `shuffle` only. Usage: PY=/path/to/python sh make_runs.sh
set -e
cd "$(dirname "$0")"
rm -rf runs
for lr in 0.1 0.3; do
  for seed in 1 2 3; do
    "$PY" seed_experiment.py -F runs with lr=$lr seed=$seed >/dev/null
  done
done
"$PY" seed_experiment.py -F runs with lr=0.1 seed=4 shuffle=False >/dev/null
