"""The ledger: one row per input record, every run (the FIRM contract in ../shared/DESIGN.md).

Columns are listed explicitly so the file is the documentation: identity and decision first, then the record's
metadata, then one column per score. A score is null where its stage never ran for that record.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pyarrow as pa

STAGES: tuple[str, ...] = (
    "schema", "duration", "title_quality", "language", "text_safety", "exact_dup", "near_dup",
    "decode", "quality", "clip_score", "visual_safety", "category", "visual_dup", "balance",
)
TEXT_STAGES: tuple[str, ...] = STAGES[:7]
RECORD_TEXT_STAGES: tuple[str, ...] = STAGES[1:5]   # decided per record by filters.text_chain, in this order
MEDIA_STAGES: tuple[str, ...] = STAGES[7:13]        # decided by the media phase, first rejection wins
STATUSES: tuple[str, ...] = ("kept", "rejected", "error")

LEDGER_SCHEMA = pa.schema([
    ("video_id", pa.string()),
    ("status", pa.string()),
    ("stage", pa.string()),
    ("reason", pa.string()),
    ("title", pa.string()),
    ("title_raw", pa.string()),
    ("category", pa.string()),
    ("duration", pa.float64()),
    ("video_path", pa.string()),
    ("md5", pa.string()),
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("fps", pa.float32()),
    ("extra", pa.string()),            # unknown input fields, as JSON
    ("source", pa.string()),           # input file and byte offset / row number
    ("record_id", pa.int64()),         # file index << 40 | offset: unique per input record, stable across runs
    # title_quality
    ("title_traditional", pa.bool_()),
    ("title_stripped", pa.int32()),    # control, bidi and escape-sequence characters removed by normalisation
    ("title_chars", pa.int32()),
    ("title_max_run", pa.int32()),
    ("title_spam", pa.string()),
    # language
    ("lang_label", pa.string()),
    ("lang_prob", pa.float32()),
    ("script_units", pa.int32()),
    ("han_share", pa.float32()),
    ("kana_share", pa.float32()),
    ("hangul_share", pa.float32()),
    ("latin_share", pa.float32()),
    # text_safety
    ("safety_term", pa.string()),
    ("safety_category", pa.string()),
    ("safety_prob", pa.float32()),
    # exact_dup / near_dup
    ("dup_key", pa.string()),          # which exact key matched: video_id | md5 | video_path | title_duration
    ("dup_of", pa.string()),           # video_id of the record kept instead (exact or near)
    ("dup_of_run", pa.string()),       # fingerprint of the earlier run (--against; manifest) that record is in
    ("near_dup_cluster", pa.int64()),  # record_id of the cluster representative; set on every member incl. it
    # decode (probe): width/height/fps/duration above are replaced by the probed values
    ("duration_meta", pa.float64()),   # the input's duration, kept when the probe replaces it
    ("codec", pa.string()),
    ("has_audio", pa.bool_()),
    ("video_bytes", pa.int64()),
    # quality
    ("quality_short_side", pa.int32()),
    ("quality_aspect", pa.float32()),
    ("quality_blank_fraction", pa.float32()),
    ("quality_motion", pa.float32()),
    ("quality_frames", pa.int32()),
    ("quality_text_area_mean", pa.float32()),      # on-screen text: share of the frame in text boxes (OCR detector)
    ("quality_text_area_max", pa.float32()),
    ("quality_text_boxes", pa.int32()),            # most text boxes in one checked frame
    ("quality_text", pa.string()),                 # recognised text (quality.text_recognition), truncated
    ("quality_text_title_overlap", pa.float32()),  # share of the title's characters found on screen
    # clip_score (embeddings stored beside the ledger, so re-scoring needs no decode)
    ("clip_score_mean", pa.float32()),
    ("clip_score_max", pa.float32()),
    ("clip_threshold", pa.float32()),   # the threshold actually applied in this run
    ("embedding_file", pa.string()),    # npz under <output>/embeddings holding this record's frame/title vectors
    ("thumbnail_file", pa.string()),    # zip under <output>/thumbnails holding <record_id>.jpg (decoded videos)
    # visual_safety
    ("visual_unsafe_zeroshot", pa.float32()),
    ("visual_unsafe_head", pa.float32()),
    ("visual_unsafe_term", pa.string()),
    ("visual_unsafe_nsfw", pa.float32()),  # NSFW classifier: nsfw_min_frames-th highest porn+hentai+w*sexy
    *((f"visual_nsfw_{name}_{stat}", pa.float32())  # per-class probability over the sampled frames
      for name in ("drawing", "hentai", "neutral", "porn", "sexy") for stat in ("mean", "max")),
    # category
    ("category_outcome", pa.string()),  # verified | relabelled | review | unlabelled
    ("category_clip_top", pa.string()),
    ("category_clip_prob", pa.float32()),
    ("category_text_top", pa.string()),
    ("category_text_prob", pa.float32()),
    ("category_new", pa.string()),      # relabelled: the new class; unlabelled: the suggestion
    ("category_label_clip_prob", pa.float32()),
    # visual_dup (dup_of above names the kept video)
    ("visual_dup_cluster", pa.int64()),  # record_id of the cluster representative; set on every member incl. it
])

COLUMNS: tuple[str, ...] = tuple(LEDGER_SCHEMA.names)


# Columns rows carry between stages that the ledger file never holds: the file to open, and (reshard) the source
# run's decision, which the media replay compares against.
RUNTIME_SCHEMA = pa.schema([
    ("video_uri", pa.string()),
    ("_old_status", pa.string()),
    ("_old_stage", pa.string()),
    ("_old_reason", pa.string()),
])
ROWS_SCHEMA = pa.schema([*LEDGER_SCHEMA, *RUNTIME_SCHEMA])
_ROWS_STRUCT = pa.struct(list(ROWS_SCHEMA))


def rows_to_table(rows: list[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts, missing keys = null, unknown keys ignored) as the table they travel in between stages: the
    ledger columns, then ``RUNTIME_SCHEMA``'s. Converted as one struct array, so Arrow walks the dicts in C++
    (half the time of one Python pass per column, measured on text-phase batches)."""
    return pa.Table.from_struct_array(pa.array(rows, type=_ROWS_STRUCT))


def ledger_table(table: pa.Table) -> pa.Table:
    """Exactly the ledger's columns of a rows table, one chunk per column (the same bytes however the rows were
    batched on the way)."""
    return table.select(list(COLUMNS)).combine_chunks()


def to_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts, missing keys = null) to an Arrow table with exactly the ledger schema."""
    return ledger_table(rows_to_table(list(rows)))
