"""Reading stays fast: a 100,000-row CSV takes well under two seconds."""

import random
import time

from finetune.data import read_table


def test_it_reads_100k_rows_quickly(tmp_path):
    rng = random.Random(0)
    words = "the film was quick brown lazy dull great awful plot acting really".split()
    lines = ["id,text,label"]
    for i in range(100_000):
        text = " ".join(rng.choices(words, k=15))
        lines.append(f'{i:06d},"{text}, indeed",{rng.choice(["pos", "neg", "NA"])}')
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    table = read_table(tmp_path / "big.csv")
    seconds = time.perf_counter() - start
    assert table.frame.shape == (100_000, 3)
    assert table.frame["id"].iloc[7] == "000007"
    assert table.row_number(99_999) == 100_001
    assert seconds < 2.0, f"reading took {seconds:.2f} s"
