"""Training-side data loading: video frames, clip augmentation and the shard loader of the pretraining stage."""
