"""LabelTune's training engine: any spreadsheet in, an evaluated model out. No Django here.

    python -m finetune check   reviews.xlsx --text review --label sentiment
    python -m finetune train   reviews.xlsx --text review --label sentiment --out runs/reviews
    python -m finetune predict runs/reviews new_reviews.csv --out scored.xlsx

Modules: data (read/write spreadsheets), columns (column mapping and guesses), health (data
report), tasks/ (one module per task), splits, basemodels (catalogue and safe loading),
train (TrainConfig, train()), rundir (the run directory), predict (Predictor, score_file).
Importing this package is cheap: torch and transformers load only when training or predicting.

It sets OMP_WAIT_POLICY=PASSIVE unless the environment says otherwise (it must be set before
torch loads): torch's threads then sleep while they wait instead of spinning. On a machine
that other processes share, spinning threads took the cores from each other: a training step
of the bundled MiniLM took 1.5 to 12 s instead of 0.6 s on a busy 2-core machine.
"""

import os

from finetune.errors import Canceled, FinetuneError

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__all__ = ["Canceled", "FinetuneError"]
