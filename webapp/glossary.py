"""The words of machine learning that LabelTune's pages use, each in one plain sentence.

    {% load glossary %}{% term "epoch" %}          -> epoch(?), the "?" shows the sentence
    {% term "validation rows" "validation" %}      -> the same, with other words shown

One dict, one page (/help/glossary/) listing them all; the tag lives in
webapp/runs/templatetags/glossary.py.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

# key -> (the term as a heading, one or two plain sentences)
GLOSSARY: dict[str, tuple[str, str]] = {
    "base model": (
        "Base model",
        "A model that already reads text well, trained by others on a great deal of text. "
        "LabelTune starts from it and teaches it your labels.",
    ),
    "epoch": (
        "Epoch",
        "One pass of training over all the training rows. More epochs give the model more "
        "practice, but too many make it learn the training rows by heart.",
    ),
    "validation rows": (
        "Validation rows",
        "Rows held back from training and used during it to pick the best epoch (and the "
        "thresholds). The model never learns from them.",
    ),
    "test rows": (
        "Test rows",
        "Rows held back until training is over and used once, to measure how well the model "
        "does on text it has never seen. The figures on the evaluation page come from them.",
    ),
    "loss": (
        "Loss",
        "How wrong the model is on the rows it trains on, as one number. It falls while the "
        "model learns; lower is better.",
    ),
    "accuracy": ("Accuracy", "The share of test rows the model answered right."),
    "precision": (
        "Precision",
        "For one label: when the model gives this label, how often it is right.",
    ),
    "recall": (
        "Recall",
        "For one label: of the rows that have this label, how many the model finds.",
    ),
    "f1": (
        "F1",
        "Precision and recall in one number from 0 to 1 (1 is perfect); it is low when either "
        "one is low. Macro F1 averages it over the labels, so rare labels count as much as "
        "common ones.",
    ),
    "threshold": (
        "Threshold",
        "For a row that may have several labels: the score from 0 to 1 a label must reach to "
        "be given. Each label's threshold is picked on the validation rows.",
    ),
    "mae": (
        "MAE (mean absolute error)",
        "The typical distance between the predicted and the true number, in the same units. "
        "Lower is better.",
    ),
    "rmse": (
        "RMSE (root mean squared error)",
        "Like MAE, but big misses weigh more. Lower is better.",
    ),
    "r2": (
        "R²",
        "How much of the spread of the true numbers the model explains: 1 is perfect, 0 is no "
        "better than always guessing the average.",
    ),
    "pearson": (
        "Pearson correlation",
        "How closely the predictions follow the true numbers on a straight line, from -1 to 1 "
        "(1 is perfect).",
    ),
    "spearman": (
        "Spearman correlation",
        "How well the predictions put the rows in the same order as the true numbers, from -1 "
        "to 1 (1 is perfect).",
    ),
}


def anchor(key: str) -> str:
    return slugify(key)


def glossary_page(request: HttpRequest) -> HttpResponse:
    terms = [
        {"key": key, "anchor": anchor(key), "name": name, "words": words}
        for key, (name, words) in GLOSSARY.items()
    ]
    return render(request, "help/glossary.html", {"terms": terms})
