"""Build a tiny BERT base model in seconds, for tests that train for real.

    tiny_dir = make_tiny_model(["good film", "bad film"], tmp_path / "tiny")
    TrainConfig(base_model=str(tiny_dir), ...)

Random weights, a WordPiece vocabulary made of the words in `texts`, saved as safetensors
with a fast tokenizer: exactly the files a Hugging Face base model directory has.
"""

import re
from pathlib import Path

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def make_tiny_model(
    texts: list[str], out_dir, hidden_size: int = 32, layers: int = 2, seed: int = 0
) -> Path:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(seed)  # the same random start every time: tests must not be flaky

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    words = sorted({w for t in texts for w in re.findall(r"\w+|[^\w\s]", str(t).lower())})
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + words)}
    tokenizer = BertTokenizerFast(vocab=vocab, do_lower_case=True)
    tokenizer.save_pretrained(out_dir)
    config = BertConfig(
        vocab_size=len(SPECIAL_TOKENS) + len(words),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=hidden_size * 2,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(out_dir, safe_serialization=True)
    return out_dir
