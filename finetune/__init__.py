"""LabelTune's training engine: any spreadsheet in, an evaluated model out. No Django here.

    python -m finetune check   reviews.xlsx --text review --label sentiment
    python -m finetune train   reviews.xlsx --text review --label sentiment --out runs/reviews
    python -m finetune predict runs/reviews new_reviews.csv --out scored.xlsx

Modules: data (read/write spreadsheets), columns (column mapping and guesses), health (data
report), tasks/ (one module per task), splits, basemodels (catalogue and safe loading),
train (TrainConfig, train()), rundir (the run directory), predict (Predictor, score_file).
Importing this package is cheap: torch and transformers load only when training or predicting.
"""

from finetune.errors import Canceled, FinetuneError

__all__ = ["Canceled", "FinetuneError"]
