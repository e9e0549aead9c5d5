"""Tests of the finetune library: real files, real training of a tiny model."""
