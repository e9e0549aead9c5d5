"""Few rows: teach the base model which texts go together before it learns the labels
(SetFit's method, through the sentence-transformers library).

    tuned = contrastive.tune(task, model, base, train, config, device)   # None: not used

1. Pairs of texts with how alike they are, as the task makes them (Task.similarity_pairs):
   for labels, each training row with another of its own label (similar: 1) and one of
   another label (not similar: 0), ROUNDS times over (`pairs`), seeded, at most MAX_PAIRS.
   (Rows that are two texts with a number make none: tuning on their own scores helped the
   sentence-meaning model on 1,800 STS-B pairs and hurt it on 230, bench/RESULTS.md.)
2. The base model, read as a sentence encoder (mean of its word-piece vectors), learns to give
   similar pairs close embeddings and the others distant ones (sentence-transformers'
   CosineSimilarityLoss, one pass, AdamW at LEARNING_RATE).
3. Its encoder's weights replace those the classification model started from; the usual
   fine-tuning then trains the head (and the encoder further) from there.
So the saved folder stays a standard transformers model that pipeline() loads.
4. The tuned encoder is also kept as it is (`Paired.encoder`): SetFit's own classifier, a
   logistic regression over its mean-pooled embeddings, is a candidate of the run (the
   sentence-meaning model tuned on pairs: finetune/embeddings.py), saved beside the model
   when it serves, since no transformers classification model computes that pooling (BERT's
   classifier reads the [CLS] vector through its pooler).
Used up to the task's number of training rows (Task.contrastive_rows: MAX_TRAIN_ROWS for one
label per row); `TrainConfig.contrastive` turns it on or off.
"""

import random
from dataclasses import dataclass

# SetFit's defaults: 20 rounds of pairs, one pass, learning rate 2e-5, 16 pairs a step. On
# 64 SST-2 rows that is 2,560 pairs (160 steps); more rows get fewer rounds, up to MAX_PAIRS.
ROUNDS = 20
MAX_PAIRS = 2_560
LEARNING_RATE = 2e-5
BATCH_SIZE = 16
# Up to this many training rows. Measured with bench/quality.py (bench/RESULTS.md): on 64
# SST-2 rows the fine-tuned MiniLM read the test rows at 0.671 with the pairs first (0.615
# without) and the tuned encoder's own classifier at 0.729; on 256 rows 0.780 (0.729 without)
# and 0.786, each as good as the SetFit recipe on the same rows; 2,320 and 2,300 pairs took
# about 110 s on 2 idle CPU cores. Larger sheets were not measured (and MAX_PAIRS covers
# each of their rows fewer times), so the line stays near the largest sheet measured.
MAX_TRAIN_ROWS = 300
SETTINGS = ("auto", "on", "off")


def wanted(task, rows: int, setting: str) -> bool:
    """Whether a run of `rows` training rows of `task` starts with contrastive pairs."""
    if setting == "off" or task.contrastive_rows == 0:
        return False
    return setting == "on" or rows <= task.contrastive_rows


def pairs(inputs: list[str], labels: list, seed: int) -> list[tuple[str, str, float]]:
    """(text, text, 1.0 when both have one label else 0.0): each row, each round, once with
    a row of its label and once with a row of another label (where there is one)."""
    rng = random.Random(seed)
    by_label: dict = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    others = {label: [i for i in range(len(labels)) if labels[i] != label] for label in by_label}
    rounds = max(1, min(ROUNDS, MAX_PAIRS // max(1, 2 * len(inputs))))
    out = []
    for _ in range(rounds):
        for i, label in enumerate(labels):
            same = [j for j in by_label[label] if j != i] or [i]
            out.append((inputs[i], inputs[rng.choice(same)], 1.0))
            if others[label]:
                out.append((inputs[i], inputs[rng.choice(others[label])], 0.0))
    rng.shuffle(out)
    return out[:MAX_PAIRS]


@dataclass
class Paired:
    pairs: int  # how many pairs the encoder learned from
    encoder: object  # the tuned base model as a finetune.encoder.Encoder (on the CPU)


def tune(task, model, base: str, train, config, device, canceled=lambda: False) -> Paired | None:
    """Train `base` (a model folder or id, as resolved) on the pairs `task` makes of the
    training rows and copy its encoder into `model` (a fresh model of the same base for the
    task); what it learned (None: no pairs to learn from)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss
    from sentence_transformers.sentence_transformer.modules.pooling import Pooling

    from finetune.encoder import Encoder
    from finetune.errors import Canceled

    chosen = task.similarity_pairs(train, config.seed)
    if not chosen:
        return None
    options = {"use_safetensors": True, "trust_remote_code": False}
    body = Transformer(base, model_kwargs=options, max_seq_length=config.max_length)
    encoder = SentenceTransformer(
        modules=[body, Pooling(body.auto_model.config.hidden_size, "mean")], device=str(device)
    )
    loss = CosineSimilarityLoss(encoder)
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=LEARNING_RATE)
    torch.manual_seed(config.seed)
    encoder.train()
    for start in range(0, len(chosen), BATCH_SIZE):
        if canceled():
            raise Canceled()
        batch = chosen[start : start + BATCH_SIZE]
        features = [encoder.preprocess([p[0] for p in batch]),
                    encoder.preprocess([p[1] for p in batch])]  # fmt: skip
        features = [{k: v.to(device) if hasattr(v, "to") else v for k, v in f.items()}
                    for f in features]  # fmt: skip
        value = loss(features, torch.tensor([p[2] for p in batch], device=device))
        value.backward()
        optimizer.step()
        optimizer.zero_grad()
    weights = {k: v.detach().to("cpu") for k, v in body.auto_model.state_dict().items()}
    missing, unexpected = model.base_model.load_state_dict(weights, strict=False)
    if unexpected or [key for key in missing if not key.startswith("pooler.")]:
        raise ValueError(f"the encoder does not fit the model: {missing[:3]} {unexpected[:3]}")
    return Paired(pairs=len(chosen), encoder=Encoder.of(body.auto_model, body.tokenizer))


def before(model, prepared, device, canceled=lambda: False) -> Paired | None:
    """`tune` where it is `wanted` and the run starts from the base model's own full weights
    (not with LoRA, whose base stays as downloaded, nor from an earlier run's weights); None
    when not used."""
    config = prepared.config
    if getattr(config, "method", "full") != "full" or getattr(prepared, "start", None):
        return None
    if not wanted(prepared.task, len(prepared.splits.train), config.contrastive):
        return None
    task = prepared.task
    return tune(task, model, prepared.base, prepared.splits.train, config, device, canceled)


def noted(choices: dict, paired: int, task) -> dict:
    """The run's automatic choices (finetune.tuning) with the pairs, and the task's sentence
    for the run page, once."""
    if not paired or "contrastive_pairs" in choices:
        return choices
    sentence = task.contrastive_sentence.format(pairs=paired)
    return choices | {
        "contrastive_pairs": paired,
        "decisions": [*choices.get("decisions", []), sentence],
    }
