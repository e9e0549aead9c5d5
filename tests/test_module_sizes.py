"""No module of finetune/, webapp/ or lib/ over MAX_LINES lines: a module that grows past it
does several things, and gets split by what it does (as finetune/data.py into reading,
finetune/formats.py and finetune/writer.py). Migrations are generated, and left out."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("finetune", "webapp", "lib")
MAX_LINES = 500


def line_counts() -> dict[str, int]:
    counts = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                with path.open("rb") as f:
                    counts[path.relative_to(ROOT).as_posix()] = sum(1 for _ in f)
    return counts


def test_no_module_is_over_500_lines():
    counts = line_counts()
    assert "finetune/data.py" in counts and "webapp/runs/models.py" in counts  # it looks
    over = {name: n for name, n in counts.items() if n > MAX_LINES}
    assert not over, f"Modules over {MAX_LINES} lines (split them by what they do): {over}"
