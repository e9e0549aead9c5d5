"""One run on several processes (finetune/distributed.py): two CPU processes (gloo) train the
tiny model as one process does with the same batch size; only rank 0 writes; a failing rank
fails the run in words, without waiting."""

import json

import pytest

from finetune import crossval, distributed, tuning
from finetune.config import TrainConfig
from finetune.errors import Canceled, FinetuneError
from finetune.mapping import ColumnMapping
from finetune.train import train
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")


def test_how_many_processes_a_run_takes_here(monkeypatch):
    monkeypatch.delenv(distributed.PER_RUN_ENV, raising=False)
    on_cpu = dict(device="cpu")
    assert distributed.count(TrainConfig(**on_cpu)) == 1  # 0 (all GPUs) is one process here
    assert distributed.count(TrainConfig(processes=3, **on_cpu)) == 3
    monkeypatch.setenv(distributed.PER_RUN_ENV, "2")  # manage.py up --gpus-per-run 2
    assert distributed.count(TrainConfig(processes=3, **on_cpu)) == 2
    with pytest.raises(FinetuneError, match="between 0"):
        TrainConfig(processes=-1)


@pytest.fixture(scope="module")
def two_ways(tiny_model_dir, tmp_path_factory):
    """The same run on one process and on two."""
    frame = sentiment_rows(240)
    runs, shares = {}, tmp_path_factory.mktemp("shares")
    share = distributed.share

    def noted(chunk):  # each rank notes the rows it learns from (forked ranks inherit this)
        mine = share(chunk)
        with open(shares / f"rank{distributed.rank()}", "a") as f:
            f.write(json.dumps([chunk, mine]) + "\n")
        return mine

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crossval, "FEW_VALIDATION_ROWS", 0)  # the model serves, as in conftest
        patch.setattr(distributed, "share", noted)
        for processes in (1, 2):
            progress = []
            config = fast_config(tiny_model_dir, epochs=5, processes=processes, device="cpu")
            out = tmp_path_factory.mktemp(f"run{processes}")
            result = train(frame, MAPPING, config, out, on_progress=progress.append)
            runs[processes] = (result, progress)
            (shares / f"{processes}").mkdir()
            for noted_file in shares.glob("rank*"):
                noted_file.rename(shares / f"{processes}" / noted_file.name)
    return runs, shares


@pytest.mark.slow
@pytest.mark.slow
def test_each_process_learns_from_its_half_of_every_batch(two_ways):
    _, shares = two_ways
    first, second = ([json.loads(line) for line in (shares / "2" / f"rank{n}").open()]
                     for n in (0, 1))  # fmt: skip
    assert len(first) == len(second) > 10
    for (batch, mine), (same_batch, theirs) in zip(first, second, strict=True):
        assert batch == same_batch  # the same batches in the same order on both
        assert sorted(mine + theirs) == sorted(batch) and not set(mine) & set(theirs)


@pytest.mark.slow
def test_two_processes_learn_as_one_does(two_ways):
    (one, _), (two, progress) = two_ways[0][1], two_ways[0][2]
    assert two.metrics["test_accuracy"] == pytest.approx(one.metrics["test_accuracy"], abs=0.1)
    assert two.metrics["test_accuracy"] > two.metrics["baseline_majority_accuracy"]
    assert (one.metrics["processes"], two.metrics["processes"]) == (1, 2)
    history = [json.loads((r.out_dir / "history.json").read_text()) for r in (one, two)]
    # The same batches of 16 rows: the same steps; the losses differ by dropout draws alone.
    assert [h["step"] for h in history[0]] == [h["step"] for h in history[1]]
    for alone, together in zip(*history, strict=True):
        assert together["loss"] == pytest.approx(alone["loss"], rel=0.25, abs=0.05)
    # Rank 0's progress reached this process; its run folder is whole.
    steps = [p.step for p in progress if p.phase == "training"]
    assert steps[-1] == history[1][-1]["step"] and progress[-1].phase == "saving"
    assert json.loads((two.out_dir / "labeltune.json").read_text())
    assert json.loads((two.out_dir / "config.json").read_text())["id2label"]


@pytest.mark.slow
def test_a_failing_process_fails_the_run_in_words(tiny_model_dir, tmp_path, monkeypatch):
    step = tuning.Stepper.step

    def breaks_on_rank_1(self, *args):
        if distributed.rank() == 1:
            raise RuntimeError("the second GPU broke")
        return step(self, *args)

    monkeypatch.setattr(tuning.Stepper, "step", breaks_on_rank_1)  # forked ranks inherit it
    config = fast_config(tiny_model_dir, epochs=2, processes=2, device="cpu")
    with pytest.raises(FinetuneError) as failed:
        train(sentiment_rows(60), MAPPING, config, tmp_path / "run")
    assert str(failed.value).startswith("Training process 2 of 2 failed (RuntimeError: the "
                                        "second GPU broke). Train again")  # fmt: skip
    assert not (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.slow
def test_a_cancel_stops_every_process(tiny_model_dir, tmp_path):
    seen = []

    def canceled():  # asked for once the first training step was reported
        return any(p.phase == "training" for p in seen)

    config = fast_config(tiny_model_dir, epochs=50, processes=2, device="cpu")
    with pytest.raises(Canceled):
        train(sentiment_rows(60), MAPPING, config, tmp_path / "run", on_progress=seen.append,
              should_cancel=canceled)  # fmt: skip
    import multiprocessing

    assert not multiprocessing.active_children()  # no rank left behind
    assert not (tmp_path / "run" / "metrics.json").exists()
