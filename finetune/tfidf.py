"""TF-IDF, the classic strong baseline of every task, as a candidate that can serve.

    vectorizer, x_train = tfidf(train)                  # fitted on the training inputs
    model = TfidfCandidate.fit(train, head, "label")    # "label", "labels" or "value"
    model.predict(["great product"])                    # answers in the task's format
    model.save(run_dir); candidates.load(run_dir)       # JSON + safetensors, same answers

One linear layer reads the TF-IDF vector of a row's whole input (both texts of a pair, as
Examples.inputs joins them): logistic regression for labels (softmax over the labels, or one
sigmoid per label with thresholds picked on the validation rows), ridge regression for
numbers. Its answers are computed from the saved numbers in numpy, both in training and
after loading, so a reloaded model answers exactly as the one that was scored.
"""

from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge

from finetune.candidates import Candidate, joined
from finetune.scripts import is_mostly_unspaced

if TYPE_CHECKING:  # finetune.tasks imports this module
    from finetune.tasks.base import Examples, Head

C = 10.0  # inverse regularization of the logistic regressions
RIDGE_ALPHA = 1.0  # regularization of the ridge regression
SURE = 50.0  # the logit of a label every training row has (or, negated, none has)
# The vectorizer's settings that are saved and read back; every other one keeps its default.
SAVED_SETTINGS = ("analyzer", "ngram_range", "lowercase", "sublinear_tf", "token_pattern",
                  "norm", "use_idf", "smooth_idf")  # fmt: skip
ANALYZERS = ("word", "char", "char_wb")
OUTPUTS = ("label", "labels", "value")


def tfidf(train: "Examples"):
    """TF-IDF fitted on the training inputs: words and word pairs; runs of 1 to 3 characters
    where the text is mostly in a script without spaces (Chinese, Thai...: words would make
    each sentence one word), or where the texts hold no word at all (only emoji)."""
    inputs = train.inputs()
    characters = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, max_features=200_000
    )
    if is_mostly_unspaced(inputs):
        return characters, characters.fit_transform(inputs)
    # Words of one character count too ("5", "a"): short texts would leave no words at all.
    words = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_features=200_000, token_pattern=r"(?u)\b\w+\b"
    )
    try:
        return words, words.fit_transform(inputs)
    except ValueError:  # "empty vocabulary": not one word in the training texts
        return characters, characters.fit_transform(inputs)


def fit_linear(x, targets: list, output: str, head: "Head", c: float = C,
               alpha: float = RIDGE_ALPHA) -> tuple:  # fmt: skip
    """(weights: outputs x features, bias, what each output stands for) of the linear layer
    that reads `x`: ridge regression for a "value", logistic regression for a "label", one
    logistic regression per label for "labels" (a label every row, or no row, has is a
    constant)."""
    if output == "value":
        ridge = Ridge(alpha=alpha).fit(x, np.asarray(targets, dtype=np.float64))
        return ridge.coef_[None, :], [ridge.intercept_], ["value"]
    if output == "label":
        model = LogisticRegression(max_iter=1000, C=c).fit(x, targets)
        return model.coef_, model.intercept_, model.classes_.tolist()
    labels = head["labels"]
    weights, bias = np.zeros((len(labels), x.shape[1])), np.zeros(len(labels))
    for j, label in enumerate(labels):
        y = np.array([label in names for names in targets])
        if y.all() or not y.any():
            bias[j] = SURE if y.all() else -SURE
            continue
        model = LogisticRegression(max_iter=1000, C=c).fit(x, y)
        weights[j], bias[j] = model.coef_[0], model.intercept_[0]
    return weights, bias, list(labels)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class TfidfCandidate(Candidate):
    kind = "tfidf"

    def __init__(self, vectorizer, weights, bias, classes, output: str, head: "Head"):
        words = "the simple character model" if vectorizer.analyzer != "word" else (
            "the simple word model"
        )  # fmt: skip
        super().__init__("tfidf", words, head)
        self.vectorizer = vectorizer
        self.weights = np.asarray(weights, dtype=np.float64)  # outputs x terms
        self.bias = np.asarray(bias, dtype=np.float64)  # one per output
        self.classes = list(classes)  # what each output stands for
        self.output = output  # "label", "labels" or "value"

    @classmethod
    def fit(cls, train: "Examples", head: "Head", output: str, validation=None, tune=None):
        """Fitted on `train`; for "labels", `tune(logits, targets, head)` (Task.tune) picks
        the thresholds on the `validation` rows."""
        vectorizer, x = tfidf(train)
        weights, bias, classes = fit_linear(x, train.targets, output, head)
        if output != "labels":
            return cls(vectorizer, weights, bias, classes, output, head)
        head = head | {"thresholds": [0.5] * len(classes)}
        candidate = cls(vectorizer, weights, bias, classes, output, head)
        if tune is not None and validation is not None and len(validation):
            candidate.head = tune(candidate.logits(validation.inputs()), validation.targets, head)
        return candidate

    def logits(self, inputs: list[str]) -> np.ndarray:
        return np.asarray(self.vectorizer.transform(inputs) @ self.weights.T) + self.bias

    def predict(self, texts: list[str], pairs: list[str] | None = None) -> list[dict]:
        return self._answers(self.logits(joined(texts, pairs)))

    def _answers(self, logits: np.ndarray) -> list[dict]:
        """The task's answers from one row of outputs per text (`output` says how to read it)."""
        if self.output == "value":
            return [{"value": float(v)} for v in logits[:, 0]]
        if self.output == "labels":
            thresholds = self.head["thresholds"]
            probs = sigmoid(logits)
            return [
                {
                    "labels": [n for n, p, t in zip(self.classes, row, thresholds, strict=True)
                               if p >= t],
                    "scores": {n: float(p) for n, p in zip(self.classes, row, strict=True)},
                }
                for row in probs
            ]  # fmt: skip
        return self._labels(logits)

    def _labels(self, logits: np.ndarray) -> list[dict]:
        """Softmax over the classes (two classes: one sigmoid, as logistic regression has),
        reported over every label of the head; a label training never saw scores 0."""
        if len(self.classes) == 2 and logits.shape[1] == 1:
            positive = sigmoid(logits[:, 0])
            probs = np.stack([1 - positive, positive], axis=1)
        else:
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
        answers = []
        for row in probs:
            best = int(row.argmax())
            scores = dict.fromkeys(self.head["labels"], 0.0)
            scores |= {c: float(p) for c, p in zip(self.classes, row, strict=True)}
            answers.append(
                {"label": self.classes[best], "confidence": float(row[best]), "scores": scores}
            )
        return answers

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        vectorizer = self.vectorizer
        settings = {key: getattr(vectorizer, key) for key in SAVED_SETTINGS}
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        spec = {
            "output": self.output,
            "classes": self.classes,
            "vectorizer": settings | {"ngram_range": list(vectorizer.ngram_range)},
            "terms": terms,
        }
        return spec, {"idf": vectorizer.idf_, "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_state(cls, spec: dict, arrays: dict[str, np.ndarray], folder=None) -> "TfidfCandidate":
        settings = {key: spec["vectorizer"][key] for key in SAVED_SETTINGS}
        if settings["analyzer"] not in ANALYZERS or spec["output"] not in OUTPUTS:
            raise ValueError("not a TF-IDF model LabelTune saved")
        settings["ngram_range"] = tuple(int(n) for n in settings["ngram_range"])
        terms = [str(term) for term in spec["terms"]]
        vectorizer = TfidfVectorizer(**settings, vocabulary={t: i for i, t in enumerate(terms)})
        vectorizer.idf_ = arrays["idf"]
        weights, bias = arrays["weights"], arrays["bias"]
        if weights.shape != (len(bias), len(terms)):
            raise ValueError("the weights do not match the terms")
        return cls(vectorizer, weights, bias, spec["classes"], spec["output"], spec["head"])
