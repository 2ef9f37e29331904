"""Test-wide settings: never touch the network (HF hub lookups hang ~60 s offline)."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
