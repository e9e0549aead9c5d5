"""AutoTrain-like: how huggingface/autotrain-advanced fine-tunes a text classifier.

    result = train(train_texts, train_labels, test_texts, test_labels, model_dir, out_dir, epochs=3)

Copied from autotrain's text classification trainer (`trainers/text_classification`): a
Dataset whose __getitem__ tokenizes its row on every access with padding="max_length" to
max_seq_length 128; `Trainer` with batch size 8, learning rate 5e-5, warm-up ratio 0.1,
`adamw_torch`, evaluation and a checkpoint at the end of every epoch, the best model loaded
at the end. fp32 on CPU; mixed precision (bf16) on a GPU, as autotrain does.
"""

import tempfile

import torch

from bench.peers.common import Clock, evaluate, label_ids

MAX_SEQ_LENGTH = 128


class TextClassificationDataset(torch.utils.data.Dataset):
    """autotrain's dataset: tokenize one row per access, padded to max_length."""

    def __init__(self, texts, labels, tokenizer):
        self.texts, self.labels, self.tokenizer = texts, labels, tokenizer

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, item):
        inputs = self.tokenizer(
            str(self.texts[item]), max_length=MAX_SEQ_LENGTH, padding="max_length", truncation=True
        )
        return {
            "input_ids": torch.tensor(inputs["input_ids"], dtype=torch.long),
            "attention_mask": torch.tensor(inputs["attention_mask"], dtype=torch.long),
            "token_type_ids": torch.tensor(inputs.get("token_type_ids", [0] * MAX_SEQ_LENGTH)),
            "labels": torch.tensor(self.labels[item], dtype=torch.long),
        }


def train(train_texts, train_labels, test_texts, test_labels, model_dir, epochs=3, seed=42):
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
    )

    ids = label_ids(train_labels)
    with Clock() as clock, tempfile.TemporaryDirectory() as out:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, num_labels=len(ids), ignore_mismatched_sizes=True
        )
        train_set = TextClassificationDataset(
            train_texts, [ids[x] for x in train_labels], tokenizer
        )
        test_set = TextClassificationDataset(test_texts, [ids[x] for x in test_labels], tokenizer)
        args = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=8,
            per_device_eval_batch_size=16,  # autotrain: 2 x the train batch size
            learning_rate=5e-5,
            num_train_epochs=epochs,
            warmup_steps=0.1,  # transformers 5: a float below 1 is a share of all steps
            weight_decay=0.0,
            optim="adamw_torch",
            eval_strategy="epoch",
            save_strategy="epoch",
            save_total_limit=1,
            load_best_model_at_end=True,
            logging_strategy="epoch",
            report_to="none",
            seed=seed,
            disable_tqdm=True,
            bf16=torch.cuda.is_available(),  # autotrain's mixed precision, on a GPU only
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=test_set)
        trainer.train()
        accuracy = evaluate(trainer, test_set, [ids[x] for x in test_labels])
    return {"seconds": clock.seconds, "cpu_seconds": clock.cpu_seconds, "accuracy": accuracy}
