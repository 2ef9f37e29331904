"""Frame-title similarity models: CLIP loading, a character tokenizer, and a tiny self-trained CLIP."""
