"""Peer baselines that LabelTune is timed against, each faithful to what it copies.

autotrain_like  how huggingface/autotrain-advanced fine-tunes a text classifier
tutorial        the Hugging Face "fine-tune a pretrained model" recipe
pipeline        transformers.pipeline(...) on a LabelTune run folder, for predictions
"""
