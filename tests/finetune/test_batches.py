"""Length-grouped training batches: every row once per epoch, little padding, repeatable."""

import random

import torch

from finetune.batches import length_grouped, random_batches


def lengths(n=1000, seed=0):
    rng = random.Random(seed)
    return [rng.randint(3, 120) for _ in range(n)]


def padded_tokens(batches, sizes):
    return sum(len(b) * max(sizes[i] for i in b) for b in batches)


def test_it_uses_every_row_exactly_once():
    sizes = lengths(1003)
    batches = length_grouped(sizes, 16, torch.Generator().manual_seed(1))
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(1003))
    assert all(1 <= len(b) <= 16 for b in batches)


def test_it_pads_far_less_than_random_batches():
    sizes = lengths(2000)
    grouped = length_grouped(sizes, 16, torch.Generator().manual_seed(1))
    plain = random_batches(len(sizes), 16, torch.Generator().manual_seed(1))
    assert padded_tokens(grouped, sizes) < 0.7 * padded_tokens(plain, sizes)


def test_it_puts_the_longest_rows_first():
    sizes = lengths(500)
    batches = length_grouped(sizes, 8, torch.Generator().manual_seed(3))
    assert max(sizes[i] for i in batches[0]) == max(sizes)


def test_it_repeats_with_the_same_seed_and_differs_by_epoch():
    sizes = lengths(300)
    generator = torch.Generator().manual_seed(5)
    first, second = length_grouped(sizes, 8, generator), length_grouped(sizes, 8, generator)
    assert first != second
    again = length_grouped(sizes, 8, torch.Generator().manual_seed(5))
    assert again == first


def test_it_handles_no_rows():
    assert length_grouped([], 8, torch.Generator().manual_seed(0)) == []
