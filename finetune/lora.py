"""LoRA: train small low-rank adapters beside a frozen base model instead of all its weights.

    config = TrainConfig(method="lora", lora_rank=8, lora_layers="all")
    model = wrap(model, config)                 # in train.fit(), once the head is set
    save(model, run_dir)                         # adapter + task head + config.json, no base copy
    model = load(run_dir, info, auto_class)      # base + adapter, merged: a plain model
    model = load(run_dir, info, auto_class, shared=True)   # base weights held once per process
    write_merged_folder(run_dir, dest, model, base)   # a folder pipeline() loads (the download)

Through the `peft` library. Only the adapter's low-rank matrices and the weights the base did
not have (the task's head, which every task adds fresh: peft's `modules_to_save`) are trained
and stored; the base model is read again from where it came from (the bundled folder, the hub
cache or a local folder) whenever the model is loaded. Which modules count as fresh is what
transformers reports as missing from the base's checkpoint (basemodels.load_model), so no task
needs to say what its head is called.

A web process that serves several LoRA models of one base keeps the base's tensors once
(`shared=True`): each model gets its own light copy of the module tree whose base tensors are
the same objects, plus its own adapter and head, so models answer side by side without locks.
"""

import copy
import hashlib
import re
import shutil
import threading
import weakref
from pathlib import Path

from finetune.errors import FinetuneError

METHODS = ("full", "lora")  # TrainConfig.method
LAYERS = ("all", "attention")  # TrainConfig.lora_layers
# Learning rates the trials try with LoRA: adapters start at zero and learn with rates about
# ten times those of full fine-tuning (bench/RESULTS.md "LoRA").
RATES = (3e-4, 1e-3, 3e-3)
ALPHA_PER_RANK = 2  # lora_alpha = 2 x rank: the adapter's scale stays the same across ranks
DROPOUT = 0.1
ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_FILE = "adapter_model.safetensors"
ADAPTER_FILES = (ADAPTER_CONFIG, ADAPTER_FILE)
CARD_NOTE = (
    "This folder holds a LoRA adapter and the task's head (`{file}`), not a copy of the base "
    "model `{base}`: `Predictor.load` from `finetune.predict` loads both. To load it without "
    "LabelTune, load the base model and then the adapter with `peft.PeftModel.from_pretrained`, "
    "or download the merged model from LabelTune, which `pipeline()` loads."
)
MERGED_NOTE = """
## This folder holds the merged model

It was trained as a LoRA adapter on `{base}`; here the adapter is merged into the base
weights, so `transformers.pipeline` loads it like any model. The adapter alone (a few
megabytes) is LabelTune's other download.
"""


# The Train page's advice (bench/RESULTS.md "LoRA adapters"): from this size of base LoRA
# pays, measured on the CPU with the bundled MiniLM (22 million parameters): accuracy within
# a point of full fine-tuning, 27% less CPU time, 1.5% of the weights stored per model.
ADVICE_FROM_MILLIONS = 20
ADVICE = (
    "LoRA (Advanced, Training method) pays with this base: it stores under 2% of its weights "
    "per model, and on SST-2 it matched full fine-tuning within a point with a quarter less "
    "CPU time."
)


def advice(params: str) -> str:
    """The Train page's sentence for a catalogue base of `params` ("125 million parameters");
    "" below the size where LoRA pays."""
    found = re.match(r"\s*(\d+(?:\.\d+)?)\s*(million|billion)", params or "")
    if not found:
        return ""
    millions = float(found[1]) * (1000 if found[2] == "billion" else 1)
    return ADVICE if millions >= ADVICE_FROM_MILLIONS else ""


FIELD_HELP = {  # TrainConfig's settings of LoRA, in train.FIELD_HELP (the CLI, the Train page)
    "method": "full trains every weight of the model; lora trains small adapters beside the "
    "base and stores only them (a few MB per model).",
    "lora_rank": "With lora: the size of the adapters. Larger learns more and stores more.",
    "lora_layers": "With lora: all adds adapters to every linear layer of the base, attention "
    "only to its attention.",
}


def problems(config) -> list[str]:
    """What is wrong with a TrainConfig's LoRA settings, in sentences (TrainConfig checks)."""
    method, rank, layers = config.method, config.lora_rank, config.lora_layers
    extend_vocabulary = config.extend_vocabulary
    found = []
    if method not in METHODS:
        found.append('The training method must be "full" or "lora".')
    if not 1 <= rank <= 256:
        found.append("The LoRA rank must be between 1 and 256, like 8.")
    if layers not in LAYERS:
        found.append('The LoRA layers must be "all" or "attention".')
    if method == "lora" and extend_vocabulary == "on":
        found.append(
            "Adding characters to the model needs full fine-tuning: choose the method full, "
            "or set adding characters to off."
        )
    return found


def uses_lora(config) -> bool:
    return getattr(config, "method", "full") == "lora"


def uses_lora_settings(settings: dict) -> bool:
    """The same for settings as labeltune.json keeps them (TrainConfig.to_dict())."""
    return settings.get("method", "full") == "lora"


def card_note(base: str) -> str:
    return CARD_NOTE.format(file=ADAPTER_FILE, base=base)


def without_card_note(card: str) -> str:
    """The model card without the paragraph on the adapter (for copies that hold none)."""
    start = card.find(CARD_NOTE[:40])
    end = card.find("\n\n", start)
    return card if start < 0 else card[:start] + (card[end + 2 :] if end >= 0 else "")


def is_lora(model) -> bool:
    """True for a model wrapped by peft (training, or loaded with `shared=True`)."""
    return hasattr(model, "peft_config")


def is_adapter_folder(folder) -> bool:
    return (Path(folder) / ADAPTER_CONFIG).is_file()


def trial_rates(config) -> tuple[float, ...] | None:
    """The learning rates the trials try (finetune.tuning); None: those of full fine-tuning."""
    return RATES if uses_lora(config) else None


def _fresh_modules(model) -> list[str]:
    """The modules whose weights the base did not have (the task's head): trained in full."""
    from finetune.basemodels import FRESH

    names = {key.rsplit(".", 1)[0] for key in getattr(model, FRESH, ())}
    return sorted(name for name in names if name)


def wrap(model, config):
    """The model with LoRA adapters on its linear layers ("all") or on its attention's query
    and value ("attention": peft's choice per architecture), the base frozen and the fresh
    modules trained in full."""
    from peft import LoraConfig, get_peft_model

    settings = LoraConfig(
        r=config.lora_rank,
        lora_alpha=ALPHA_PER_RANK * config.lora_rank,
        lora_dropout=DROPOUT,
        target_modules="all-linear" if config.lora_layers == "all" else None,
        modules_to_save=_fresh_modules(model) or None,
    )
    try:
        return get_peft_model(model, settings)
    except ValueError as err:
        raise FinetuneError(
            f"LoRA cannot be added to this base model ({model.config.model_type}). Choose the "
            "method full, or the LoRA layers all."
        ) from err


def stored_share(model) -> float:
    """The share of the model's weights that training changes (and the run folder stores)."""
    trainable, total = model.get_nb_trainable_parameters()
    return trainable / total if total else 0.0


def save(model, out_dir) -> None:
    """A LoRA model: its adapter and head (safetensors) and the model's config.json (labels);
    any other model as transformers saves it."""
    if not is_lora(model):
        model.save_pretrained(out_dir, safe_serialization=True)
        return
    model.save_pretrained(out_dir, safe_serialization=True)  # its README: replaced by our card
    model.get_base_model().config.save_pretrained(out_dir)


def merged(model):
    """A plain copy of a LoRA model with its adapter merged in (the model itself is untouched);
    any other model as it is."""
    return copy.deepcopy(model).merge_and_unload() if is_lora(model) else model


def _base_model(run_dir, info: dict, auto_class):
    """The base model with the run's config (labels, head size), from where it came from."""
    from transformers import AutoConfig

    from finetune import basemodels

    config = AutoConfig.from_pretrained(run_dir, trust_remote_code=False)
    base = basemodels.resolve(info["base_model"])
    return basemodels.load_model(base, {"config": config}, auto_class.__name__), base


def load(run_dir, info: dict, auto_class, shared: bool = False):
    """The LoRA model of `run_dir` on the CPU, in eval mode: the base and the adapter merged
    into a plain model; with `shared`, unmerged, on base tensors this process holds once."""
    from peft import PeftModel

    if shared:
        return _shared_load(run_dir, info, auto_class)
    model, _ = _base_model(run_dir, info, auto_class)
    return PeftModel.from_pretrained(model, run_dir).merge_and_unload().eval()


# Base encoders held for shared loads: (base, model class) -> the encoder module. Weakly, so a
# base whose models were all dropped from a cache is freed; each model keeps its own alive.
_shared: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_shared_lock = threading.Lock()


def _encoder(run_dir, info: dict, auto_class):
    """The base model's encoder (transformers' `base_model`), loaded once per base and class."""
    from finetune import basemodels

    key = (basemodels.resolve(info["base_model"]), auto_class.__name__)
    with _shared_lock:
        encoder = _shared.get(key)
        if encoder is None:
            model, _ = _base_model(run_dir, info, auto_class)
            encoder = getattr(model, model.base_model_prefix).eval().requires_grad_(False)
            _shared[key] = encoder
        return encoder


# Tokenizers held for shared loads (about 10 MB each), by their files and how they are called.
_tokenizers: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def shared_tokenizer(run_dir, info: dict):
    """The run folder's tokenizer: one object for the LoRA models whose tokenizer files, task
    and text length are the same (so they call it the same way and never change its settings
    under one another)."""
    from transformers import AutoTokenizer

    digest = hashlib.sha256(f"{info['task']} {info['config'].get('max_length')}".encode())
    for file in sorted(Path(run_dir).glob("*.json")):
        if file.name.startswith(("tokenizer", "special_tokens", "added_tokens")):
            digest.update(file.name.encode() + file.read_bytes())
    with _shared_lock:
        tokenizer = _tokenizers.get(digest.hexdigest())
        if tokenizer is None:
            tokenizer = AutoTokenizer.from_pretrained(run_dir, trust_remote_code=False)
            _tokenizers[digest.hexdigest()] = tokenizer
        return tokenizer


def _shared_load(run_dir, info: dict, auto_class):
    import torch
    from peft import PeftModel
    from transformers import AutoConfig

    encoder = _encoder(run_dir, info, auto_class)
    config = AutoConfig.from_pretrained(run_dir, trust_remote_code=False)
    with torch.device("meta"):  # the module tree only; no memory for the base's weights
        skeleton = auto_class.from_config(config)
    tensors = [*encoder.parameters(), *encoder.buffers()]
    # A copy of the encoder's modules whose tensors are the encoder's own (not copied).
    setattr(skeleton, skeleton.base_model_prefix,
            copy.deepcopy(encoder, memo={id(t): t for t in tensors}))  # fmt: skip
    for module in skeleton.modules():  # the head: real (empty) tensors the adapter fills
        for name, param in list(module.named_parameters(recurse=False)):
            if param.is_meta:
                empty = torch.empty(param.shape, dtype=param.dtype)
                setattr(module, name, torch.nn.Parameter(empty, requires_grad=False))
        for name, buffer in list(module.named_buffers(recurse=False)):
            if buffer.is_meta:
                module.register_buffer(name, torch.zeros(buffer.shape, dtype=buffer.dtype))
    model = PeftModel.from_pretrained(skeleton, run_dir).eval()
    model.labeltune_shared_encoder = encoder  # keeps the shared base alive while this model is
    return model


def write_merged_folder(run_dir, dest, model, base: str) -> Path:
    """`dest`: the run folder's files with `model` (the folder's model as `load` gives it,
    merged: modeling.load_trained) as model.safetensors instead of the adapter, and a README
    that says so: pipeline() loads it. `base`: the base model's name as the card gives it."""
    run_dir, dest = Path(run_dir), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for file in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        if file.relative_to(run_dir).as_posix() not in ADAPTER_FILES:
            target = dest / file.relative_to(run_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    model.save_pretrained(dest, safe_serialization=True)
    card = dest / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    text = without_card_note(text)  # the folder holds no adapter
    card.write_text(text + MERGED_NOTE.format(base=base), encoding="utf-8")
    return dest
