"""Tests for the pretraining data path: frame sampling, clip augmentation and the WebDataset shard loader."""
