"""Training batches of rows of similar length, in random order.

    batches = length_grouped(lengths, batch_size=16, generator=torch_generator)
    for rows in batches: ...             # every row exactly once per epoch

Each batch is padded to its own longest row, so batches of mixed lengths waste most of
their compute on padding. Like transformers' LengthGroupedSampler:
1. shuffle all rows;
2. cut them into groups of GROUP batches and sort each group by length;
3. cut each group into batches, shuffle the batches, and put the batch holding the longest
   rows first, so that running out of memory happens at the first step, not at the end.
The randomness of step 1 keeps epochs different; the grouping in step 2 keeps it local.
"""

GROUP = 50  # batches per sorted group: larger groups pad less but shuffle less


def length_grouped(lengths: list[int], batch_size: int, generator) -> list[list[int]]:
    import torch

    order = torch.randperm(len(lengths), generator=generator).tolist()
    group_size = batch_size * GROUP
    batches = []
    for start in range(0, len(order), group_size):
        group = sorted(order[start : start + group_size], key=lambda i: -lengths[i])
        batches += [group[i : i + batch_size] for i in range(0, len(group), batch_size)]
    if not batches:
        return []
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    batches = [batches[i] for i in shuffled]
    longest = max(range(len(batches)), key=lambda b: max(lengths[i] for i in batches[b]))
    batches.insert(0, batches.pop(longest))
    return batches


def random_batches(count: int, batch_size: int, generator) -> list[list[int]]:
    """Plain shuffled batches (the setting `group_by_length=False`)."""
    import torch

    order = torch.randperm(count, generator=generator).tolist()
    return [order[i : i + batch_size] for i in range(0, count, batch_size)]
