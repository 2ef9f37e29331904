"""The dedup index a run leaves under ``<output>/index/``, and how a later run reads earlier ones (``--against``).

An index part is the compact projection of one ledger part that dedup needs: per valid record its record id,
video_id, whether it was still alive when dedup ran, md5, video_path, normalised title, input duration and
comparison text, i.e. exactly the ``DedupItem`` the text stage handed to exact_dup and near_dup, plus the hashes
a later run tests without a Python loop: exact-key hashes, the text hash and the MinHash band hashes (20 per alive
text). Duration cells and deletion keys are recomputed in NumPy when it is read (stored, they would be ~70 per
title, doubling the index). Every record that took part in dedup is in it,
kept or not: a new record that duplicates a rejected duplicate of an earlier kept one joins that cluster, as it
would in one run over everything.

Why parts follow the ledger's units of work rather than key-hash partitions (which the issue first sketched): a record
has ~70 keys, so hash partitions of keys would store each record ~70 times or need a join back to its row; a
later run's keys (~7M for 100k new records) land in every hash partition, so every partition would be read anyway;
and a part per unit is written by the worker that writes that ledger part, with no extra shuffle. The keys are
matched by hash where it counts: in the Bloom filter and the dedup shuffles (``transforms.earlier_runs``).

A later run gives each earlier record a *virtual* record id below every id of its own input (``virtual_id``):
earlier runs come first in record order, the oldest first, so dedup's "smallest record id wins" makes the earlier
copy the representative, and the ledger routes nothing back to an earlier run (no unit owns a negative id).
"""
from __future__ import annotations

import hashlib
import json
import time
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from filters.normalize import comparison_text
from filters.text_chain import TEXT_ORDER
from pipeline import uris
from pipeline.config import Config
from pipeline.redecide import input_duration, is_valid
from schemas.records import RUN_SHIFT, DedupItem

VERSION = 3
INDEX_SCHEMA = pa.schema([("record_id", pa.int64()), ("video_id", pa.string()), ("alive", pa.bool_()),
                          ("md5", pa.string()), ("video_path", pa.string()), ("title", pa.string()),
                          ("duration", pa.float64()), ("text", pa.string()),
                          # precomputed so a later run tests a million records against its keys without a Python
                          # loop over them: the exact keys' hashes and the comparison text's hash
                          ("exact_hashes", pa.list_(pa.uint32())), ("text_hash", pa.int64()),
                          ("band_hashes", pa.list_(pa.uint64()))])  # MinHash bands of alive texts, else empty
META = "_index.json"


def index_table(ledger: pa.Table, config: Config) -> pa.Table:
    """One ledger part -> its index part (valid records, in record order)."""
    from filters.exact_dup import exact_keys
    from filters.lsh_keys import text_band_hashes
    from filters.near_dup import text_hash
    from transforms.exact_dup import _key_hash

    rows = [r for r in ledger.select(["record_id", "video_id", "status", "stage", "md5", "video_path", "title",
                                      "duration", "duration_meta"]).to_pylist() if is_valid(r)]
    items = [DedupItem(r["record_id"], r["video_id"],
                       r["status"] == "kept" or (r["stage"] not in TEXT_ORDER and r["status"] != "error"),
                       r["md5"], r["video_path"], r["title"], input_duration(r), comparison_text(r["title"] or ""))
             for r in rows]
    content = tuple(config.exact_dup.keys)
    exact = [[_key_hash(kind, key) for kind, key in exact_keys(item, content)] for item in items]
    banded = np.fromiter((bool(item.alive and item.text) for item in items), dtype=bool, count=len(items))
    bands = text_band_hashes([item.text for item, b in zip(items, banded) if b], config.near_dup)
    band_offsets = np.concatenate([[0], np.cumsum(banded * config.near_dup.bands)]).astype(np.int32)
    exact_offsets = np.concatenate([[0], np.cumsum([len(h) for h in exact])]).astype(np.int32)
    columns = {name: pa.array([getattr(item, name) for item in items], INDEX_SCHEMA.field(name).type)
               for name in DedupItem._fields}
    columns["exact_hashes"] = pa.ListArray.from_arrays(
        exact_offsets, pa.array(np.fromiter((h for hashes in exact for h in hashes), dtype=np.uint32)))
    columns["text_hash"] = pa.array(np.fromiter((text_hash(item.text) for item in items), dtype=np.int64,
                                                count=len(items)))
    columns["band_hashes"] = pa.ListArray.from_arrays(band_offsets, pa.array(bands.ravel()))
    return pa.table(columns, schema=INDEX_SCHEMA)


VISUAL_SCHEMA = pa.schema([("record_id", pa.int64()), ("video_id", pa.string()), ("duration", pa.float64()),
                           ("embedding_file", pa.string()), ("keys", pa.list_(pa.uint64()))])
NOT_VISUAL = ("visual_safety", "category")  # rejected before visual_dup: never a cluster's representative


def visual_table(ledger: pa.Table, run: str, config: Config) -> pa.Table:
    """The videos of one ledger part that took part in visual_dup: their candidate keys (embedding bands, frame-hash
    quarters) and a reference to their embeddings, which a later run loads only for videos whose keys match."""
    from filters.visual_dup import entry_keys, mean_embedding
    from pipeline.redecide_media import stored_embeddings
    from schemas.records import VisualItem

    rows = [r for r in ledger.select(["record_id", "video_id", "status", "stage", "duration", "embedding_file"])
            .to_pylist() if r["embedding_file"] and r["status"] != "error" and r["stage"] not in NOT_VISUAL]
    out = []
    for r in rows:
        stored = stored_embeddings(uris.resolve(run, r["embedding_file"])).get(r["record_id"])
        if stored is None:
            continue
        item = VisualItem(r["record_id"], r["video_id"], mean_embedding(stored[0]), r["duration"], stored[1])
        out.append({**{k: r[k] for k in ("record_id", "video_id", "duration", "embedding_file")},
                    "keys": sorted({key for key, _ in entry_keys([item], config.visual_dup)})})
    return pa.Table.from_pylist(out, schema=VISUAL_SCHEMA)


def write_index_part(written: tuple[str, int], index_dir: str, config: Config, visual: bool) -> str:
    """Read a ledger part just written and write its index part beside the ledger (a pipeline step); for the media
    phase, its visual part too (``visual/``)."""
    from transforms.ledger import write_table

    path, _ = written
    with FileSystems.open(path) as handle:
        ledger = pq.read_table(handle)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    write_table(index_table(ledger, config), FileSystems.join(index_dir, name))
    if visual:
        run = index_dir.rstrip("/").rsplit("/", 1)[0]
        write_table(visual_table(ledger, run, config), FileSystems.join(index_dir, "visual", name))
    return path


def dedup_settings(config: Config) -> dict[str, Any]:
    """The settings under which two runs' dedup keys agree: an index read under others would miss matches."""
    tree = config.to_dict()
    near = {k: v for k, v in tree["near_dup"].items() if k not in ("partitions", "cc_rounds")}
    visual = {k: tree["visual_dup"][k] for k in ("bands", "rows", "seed", "hashes")}
    return {"exact_dup": {"keys": tree["exact_dup"]["keys"]}, "near_dup": near, "visual_dup": visual}


def write_meta(output: str, config: Config, fingerprint: str) -> None:
    with FileSystems.create(uris.join(output, "index", META)) as handle:
        handle.write(json.dumps({"version": VERSION, "run_fingerprint": fingerprint, "finished_at": time.time(),
                                 "dedup": dedup_settings(config)}, indent=1, sort_keys=True).encode())


class EarlierRun(NamedTuple):
    uri: str
    fingerprint: str
    finished: float
    parts: list[str]
    visual_parts: list[str]  # empty for a text-phase run


def run_fingerprint(manifest_bytes: bytes) -> str:
    return hashlib.sha256(manifest_bytes).hexdigest()[:16]


def load_earlier(run: str, config: Config) -> EarlierRun:
    """Validate one ``--against`` run: complete, with an index of this version made under the same dedup settings.
    Raises ValueError with a one-line reason."""
    from pipeline.run_folder import RunFolderError, require_complete

    try:
        require_complete(run)
    except RunFolderError as exc:
        raise ValueError(f"--against {run}: {exc}") from exc
    meta_path = uris.join(run, "index", META)
    if not FileSystems.exists(meta_path):
        raise ValueError(f"--against {run}: no dedup index (index/{META}); runs before incremental curation need "
                         "curating again")
    with FileSystems.open(meta_path) as handle:
        meta = json.loads(handle.read())
    if meta.get("version") != VERSION:
        raise ValueError(f"--against {run}: index version {meta.get('version')}, this code reads {VERSION}")
    if meta["dedup"] != dedup_settings(config):
        raise ValueError(f"--against {run}: made with other dedup settings ({meta['dedup']}); keys would not match")
    with FileSystems.open(uris.join(run, "manifest.json")) as handle:
        manifest = handle.read()
    parts, visual = ([m.path for m in FileSystems.match([uris.join(run, "index", *sub, "part-*.parquet")])[0]
                      .metadata_list] for sub in ((), ("visual",)))
    return EarlierRun(run, run_fingerprint(manifest), float(meta["finished_at"]), sorted(parts), sorted(visual))


def order_runs(runs: list[EarlierRun]) -> list[EarlierRun]:
    """Oldest first (by completion time, then fingerprint): the order their records come in."""
    return sorted(runs, key=lambda r: (r.finished, r.fingerprint))


def virtual_id(record_id, run_index: int, runs: int):
    """Record ids of earlier run ``run_index`` (0 = oldest of ``runs``) moved below every id of this run."""
    return record_id - (runs - run_index) * (1 << RUN_SHIFT)


def earlier_videos(path: str, run: str, run_index: int, runs: int, bloom) -> list:
    """A visual index part's videos with a candidate key in ``bloom``, as VisualItems under virtual ids (their
    embeddings loaded from the earlier run), each with the keys that matched."""
    from filters.visual_dup import mean_embedding
    from pipeline.redecide_media import stored_embeddings
    from schemas.records import VisualItem

    with FileSystems.open(path) as handle:
        table = pq.read_table(handle, schema=VISUAL_SCHEMA)
    keys = table.column("keys").combine_chunks()
    flat = keys.values.to_numpy(zero_copy_only=False)
    hit = bloom.contains(flat)
    offsets = keys.offsets.to_numpy()
    cumulative = np.concatenate([[0], np.cumsum(hit)])
    out = []
    for i in np.flatnonzero(cumulative[offsets[1:]] > cumulative[offsets[:-1]]).tolist():
        row = {name: table.column(name)[i].as_py() for name in ("record_id", "video_id", "duration",
                                                                 "embedding_file")}
        frames, hashes = stored_embeddings(uris.resolve(run, row["embedding_file"]))[row["record_id"]]
        item = VisualItem(virtual_id(row["record_id"], run_index, runs), row["video_id"], mean_embedding(frames),
                          row["duration"], hashes)
        out.append((item, flat[offsets[i]:offsets[i + 1]][hit[offsets[i]:offsets[i + 1]]]))
    return out


def earlier_part(path: str, run_index: int, runs: int, columns: list[str] | None = None) -> pa.Table:
    """An index part (``columns``, record_id first, else all) with its record ids moved to virtual ids."""
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle, schema=INDEX_SCHEMA, columns=columns)
    return table.set_column(0, "record_id", pc.add(table.column("record_id"), -(runs - run_index) * (1 << RUN_SHIFT)))


def items_of(table: pa.Table) -> list[DedupItem]:
    """Index rows as dedup items."""
    cols = [table.column(n).to_pylist() for n in DedupItem._fields]
    return [DedupItem(*values) for values in zip(*cols)]
