"""Tutorial: the Hugging Face "Fine-tune a pretrained model" recipe, as copied into countless
notebooks.

    result = train(train_texts, train_labels, test_texts, test_labels, model_dir, epochs=3)

Every row tokenized up front with padding="max_length" (the model's maximum, 512 for
MiniLM), batch size 8, fp32, `Trainer` with its defaults (learning rate 5e-5, no warm-up)
and evaluation each epoch. With `max_steps` the run stops early and its wall time is
extrapolated to the whole schedule (the recipe takes hours on a 2-core CPU); the accuracy
of such a cut-short run is not comparable and is reported as None.
"""

import math
import tempfile

import torch

from bench.peers.common import Clock, evaluate, label_ids


class Encoded(torch.utils.data.Dataset):
    def __init__(self, encodings, labels):
        self.encodings, self.labels = encodings, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        item = {k: torch.tensor(v[i]) for k, v in self.encodings.items()}
        return item | {"labels": torch.tensor(self.labels[i])}


def train(
    train_texts, train_labels, test_texts, test_labels, model_dir, epochs=3, seed=42, max_steps=0
):
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
    )

    ids = label_ids(train_labels)
    with Clock() as clock, tempfile.TemporaryDirectory() as out:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)

        def tokenize(texts):
            return tokenizer(list(texts), padding="max_length", truncation=True)

        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, num_labels=len(ids), ignore_mismatched_sizes=True
        )
        train_set = Encoded(tokenize(train_texts), [ids[x] for x in train_labels])
        test_set = Encoded(tokenize(test_texts), [ids[x] for x in test_labels])
        args = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=8,
            per_device_eval_batch_size=8,
            num_train_epochs=epochs,
            max_steps=max_steps or -1,
            eval_strategy="no" if max_steps else "epoch",
            save_strategy="no",
            report_to="none",
            seed=seed,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=test_set)
        with Clock() as training:
            trainer.train()
        accuracy = None if max_steps else evaluate(trainer, test_set, [ids[x] for x in test_labels])
    total_steps = epochs * math.ceil(len(train_texts) / 8)
    seconds, cpu_seconds = clock.seconds, clock.cpu_seconds
    if max_steps and max_steps < total_steps:
        # Extrapolated: set-up as measured, plus the measured time per step for every step
        # (evaluation left out, which flatters the recipe).
        scale = total_steps / max_steps
        seconds = clock.seconds - training.seconds + training.seconds * scale
        cpu_seconds = clock.cpu_seconds - training.cpu_seconds + training.cpu_seconds * scale
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "accuracy": accuracy,
        "measured_steps": max_steps or total_steps,
    }
