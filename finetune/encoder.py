"""The run's base model as a sentence encoder, frozen: each text's mean-pooled, length-1
embedding, as sentence-transformers computes it for all-MiniLM-L6-v2 (finetune/embeddings.py
reads them; finetune/crossval.py reads the same texts again, once, within `reused()`).

    encoder = encoder_for("all-MiniLM-L6-v2")
    encoder.embed(["great product"])           # one row of floats per text
    encoder.features(texts, pairs)             # pairs: u, v, |u - v|, u * v side by side
"""

from contextlib import contextmanager

import numpy as np

from finetune import basemodels

MAX_LENGTH = 128  # word pieces read per text, as training reads them by default
BATCH_SIZE = 32


_shared: dict | None = None  # (base model, max length) -> Encoder, within `reused()`


@contextmanager
def reused():
    """Within it, one encoder per base model, and each text is read only once (the
    candidates fitted again on parts of the rows, finetune/crossval.py, read the same texts)."""
    global _shared
    outer, _shared = _shared, {} if _shared is None else _shared
    try:
        yield
    finally:
        _shared = outer


def encoder_for(base_model: str, max_length: int = MAX_LENGTH) -> "Encoder":
    """A new Encoder, or the one already loaded within `reused()`."""
    if _shared is None:
        return Encoder(base_model, max_length)
    key = (base_model, max_length)
    if key not in _shared:
        _shared[key] = Encoder(base_model, max_length)
        _shared[key].memo = {}
    return _shared[key]


class Encoder:
    """The frozen base model, loaded once (safetensors only, no remote code), on the CPU so
    training and serving compute the same numbers."""

    def __init__(self, base_model: str | None, max_length: int = MAX_LENGTH):
        import torch

        if base_model is not None:  # None: `of` fills them in
            path = basemodels.resolve(base_model)
            self.tokenizer = basemodels.load_tokenizer(path)
            self.model = basemodels.load_model(path, {}, "AutoModel").to(torch.device("cpu"))
            self.model.eval()
        self.max_length = max_length
        self.memo: dict[str, np.ndarray] | None = None  # each text's vector, within `reused()`

    @classmethod
    def of(cls, model, tokenizer, max_length: int = MAX_LENGTH) -> "Encoder":
        """An encoder over a base model already in memory (the run's, tuned on pairs of its
        rows: finetune/contrastive.py), with its tokenizer; it remembers each text it read."""
        made = cls(None, max_length)
        made.model, made.tokenizer, made.memo = model.to("cpu").eval(), tokenizer, {}
        return made

    def save(self, folder) -> None:
        """The encoder as a standard transformers folder (safetensors weights, config,
        tokenizer), which `Encoder(folder)` reads back."""
        self.model.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised mean-pooled vector per text (rows sorted by length and batched,
        so a batch pads only to its own longest row)."""
        if self.memo is None:
            return self._embed(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.memo))
        self.memo |= dict(zip(missing, self._embed(missing), strict=True))
        size = self.model.config.hidden_size
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, size), "f4")

    def _embed(self, texts: list[str]) -> np.ndarray:
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), BATCH_SIZE):
                batch = order[start : start + BATCH_SIZE]
                encoded = self.tokenizer(
                    [texts[i] for i in batch],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**encoded).last_hidden_state
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[batch] = torch.nn.functional.normalize(mean, p=2, dim=1).numpy()
        return out

    def features(self, texts: list[str], pairs: list[str] | None = None) -> np.ndarray:
        u = self.embed(texts)
        if pairs is None:
            return u
        v = self.embed(pairs)
        return np.concatenate([u, v, np.abs(u - v), u * v], axis=1)
