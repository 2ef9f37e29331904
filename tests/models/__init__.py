"""Tests for the CLIP loading, tokenizer, synthetic data and tiny-CLIP training code."""
