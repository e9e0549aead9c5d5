"""Entity spreadsheets and a trained entity model for the web tests (and the browser test).

    sentences = ner_sentences(60)                   # [(token, tag), ...] per sentence, BIO
    frames = layout_frames(sentences)               # bench.ner_layouts: the three layouts
    content = csv_bytes(frames["entities"])         # "text,entities" rows: "alice = PER; ..."
    model = finished_ner_model(team, user)          # a finished run of the tiny model

A name's type hangs on the word alone (people, places, companies, a two-word place), among
filler words, so a tiny BERT learns it in a few quick epochs. One filler word is "&", so every
page that shows the texts is also an escaping test.
"""

import random
from pathlib import Path

import pandas as pd

from bench.ner_layouts import layout_frames
from tests.webapp.runs_support import finished_model, session_dir

NAMES = {  # type -> names (a name of two words is written with a space)
    "PER": ["alice", "bob", "carol", "dave"],
    "LOC": ["paris", "london", "berlin", "new york"],
    "ORG": ["acme", "globex", "initech"],
}
FILLER = ["the", "met", "in", "at", "visited", "with", "and", "from", "today", "&"]
NER_SETTINGS = dict(epochs=12, learning_rate=3e-3, batch_size=8, max_length=32,
                    warmup_ratio=0.0, patience=0)  # fmt: skip


def ner_sentences(n: int = 80, seed: int = 0) -> list[list[tuple[str, str]]]:
    """Sentences of filler words and one to three names, tagged BIO."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(n):
        sentence: list[tuple[str, str]] = []
        for _ in range(rng.randint(1, 3)):
            sentence += [(w, "O") for w in rng.sample(FILLER, rng.randint(1, 2))]
            kind = rng.choice(sorted(NAMES))
            words = rng.choice(NAMES[kind]).split()
            sentence += [(w, ("B-" if i == 0 else "I-") + kind) for i, w in enumerate(words)]
        sentence += [(rng.choice(FILLER[:4]), "O")]
        sentences.append(sentence)
    return sentences


def vocabulary() -> list[str]:
    words = {w for names in NAMES.values() for name in names for w in name.split()}
    return sorted(words | set(FILLER) | {"script", "alert"})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def tiny_ner_base_model() -> Path:
    import torch

    from tests.tinymodel import make_tiny_model

    out = session_dir() / "tiny-ner"
    if not (out / "config.json").is_file():
        torch.manual_seed(0)
        make_tiny_model(vocabulary(), out)
    return out


def trained_ner_run_dir() -> Path:
    """A real run directory: the tiny BERT trained on layout 1 of ner_sentences(), once per
    test session."""
    out = session_dir() / "trained-ner"
    if not (out / "metrics.json").is_file():
        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train

        frame = layout_frames(ner_sentences())["entities"]
        config = TrainConfig(task="ner", base_model=str(tiny_ner_base_model()), **NER_SETTINGS)
        train(frame, ColumnMapping(text="text", entities="entities"), config, out)
    return out


def finished_ner_model(team, user, name: str = "Names model"):
    """A finished TrainingRun and its TrainedModel, with a copy of trained_ner_run_dir()."""
    return finished_model(team, user, name, source=trained_ner_run_dir())
