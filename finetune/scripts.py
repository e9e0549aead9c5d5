"""Writing systems that do not put spaces between words (Chinese, Japanese, Thai...).

    is_unspaced("中")                    # True: a Chinese character
    unspaced_share(["我很喜欢", "ok"])   # 0.8: 4 such characters beside 1 other word
    main_script(["我很喜欢"])             # "Chinese"
    length_unit(texts)                   # "characters" for mostly unspaced text, else "words"

Word-based tools read an unspaced sentence as one long word: the baselines then count
characters instead (finetune.tfidf.tfidf), and lengths are said in characters.
Korean puts spaces between words, so Hangul is not among these scripts.
"""

import re
from collections import Counter

# Unicode ranges of each unspaced script, by the name people know it by. Kana makes a text
# Japanese even though Japanese uses Chinese characters too (see main_script).
SCRIPTS: dict[str, str] = {
    "Chinese": (
        "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3100-\u312f\u31a0-\u31bf"
        "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    ),
    "Japanese": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "Thai": "\u0e00-\u0e7f",
    "Lao": "\u0e80-\u0eff",
    "Tibetan": "\u0f00-\u0fff",
    "Burmese": "\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff",
    "Khmer": "\u1780-\u17ff\u19e0-\u19ff",
    "Yi": "\ua000-\ua4cf",
    "Javanese": "\ua980-\ua9df",
    "Balinese": "\u1b00-\u1b7f",
}
UNSPACED_CLASS = "".join(SCRIPTS.values())  # for a regex character class: [{UNSPACED_CLASS}]
UNSPACED = re.compile(f"[{UNSPACED_CLASS}]")
OTHER_WORDS = re.compile(rf"[^\W\d_{UNSPACED_CLASS}]+")  # runs of letters of other scripts
_EACH = {name: re.compile(f"[{ranges}]") for name, ranges in SCRIPTS.items()}
MOSTLY = 0.5  # texts whose letters are more than half unspaced count as unspaced text
SAMPLE_CHARS = 200_000  # enough text to tell the script of a column, read quickly


def is_unspaced(ch: str) -> bool:
    """True for one character of a script written without spaces between words."""
    return bool(UNSPACED.fullmatch(ch))


def _sample(texts) -> str:
    """The texts joined, up to SAMPLE_CHARS, taking rows from all over the list."""
    texts = [str(t) for t in texts]
    total = sum(len(t) for t in texts)
    step = max(1, round(total / SAMPLE_CHARS)) if total > SAMPLE_CHARS else 1
    return "\n".join(texts[::step])[: SAMPLE_CHARS * 2]


def unspaced_share(texts) -> float:
    """How much of `texts` is in unspaced scripts (0 to 1): their characters, against those
    characters and the words of other scripts (a Chinese character is about as much text
    as an English word); digits, punctuation and emoji count for neither side."""
    sample = _sample(texts)
    unspaced = len(UNSPACED.findall(sample))
    total = unspaced + len(OTHER_WORDS.findall(sample))
    return unspaced / total if total else 0.0


def is_mostly_unspaced(texts) -> bool:
    return unspaced_share(texts) > MOSTLY


def main_script(texts) -> str | None:
    """The unspaced script most used in `texts` by name ("Chinese", "Thai"...), or None.
    Japanese mixes kana with Chinese characters: kana beside them (one for every 20 or
    more) makes it Japanese."""
    sample = _sample(texts)
    counts = Counter({name: len(pattern.findall(sample)) for name, pattern in _EACH.items()})
    if not +counts:
        return None
    if counts["Japanese"] and counts["Japanese"] >= counts["Chinese"] / 20:
        return "Japanese"
    return counts.most_common(1)[0][0]


def length_unit(texts) -> str:
    """How lengths of these texts are best counted: "characters" or "words"."""
    return "characters" if is_mostly_unspaced(texts) else "words"


def text_length(text: str, unit: str) -> int:
    """Length of one text in `unit`: its characters but spaces, or its words."""
    if unit == "characters":
        return sum(not ch.isspace() for ch in text)
    return len(text.split())
