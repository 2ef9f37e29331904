"""The LSH entries of near_dup's candidate search: bucket keys of MinHash bands and deletion keys in duration cells.

A text's entries are its 20 band keys and its deletion keys (``filters.edit_keys``), each in every *duration cell*
its records touch (width = tolerance; a duration d is in cell floor(d / w) and the next), so only texts whose
durations could match meet in a bucket (``filters.near_dup`` explains why). About 70 entries per title; entries
name their text by index, with one hash and one character sketch per text, so the bucket shuffle carries 12 bytes
per entry.

Incremental curation probes an earlier run's texts against a Bloom filter of the new texts' entries
(``probe_entries``): a new text's filter keys reach one cell further down (``lsh_entries(..., cells_below=1)``),
so an earlier text (one record, one duration) is found by probing its first cell alone, half the probes of a
1M-record scan; only the entries that pass are then made in both cells and probed again.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from filters.edit_keys import deletion_keys
from filters.minhash import band_keys, signatures
from filters.text_rows import Segment, TextRow, TextTable
from schemas.config import NearDupConfig

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_DELETION_SALT = np.uint64(0x2545F4914F6CDD1D)
_BAND_SALT = np.uint64(0xD6E8FEB86659FD93)
_CELL_MIX = np.uint64(0xFF51AFD7ED558CCD)
_UNKNOWN_CELL = -(1 << 40)


def duration_cells(segments: list[Segment], tolerance: float) -> list[int]:
    """Cells a text's records occupy: records within ``tolerance`` of each other always share one.

    Each duration d occupies cell floor(d / w) and the next one (w = tolerance), so |d1 - d2| <= w implies a shared
    cell. Records without duration share one cell of their own; an infinite tolerance puts everything in cell 0.
    """
    if math.isinf(tolerance):
        return [0]
    width = max(tolerance, 1e-3)
    cells: set[int] = set()
    for _, lo, hi in segments:
        if math.isinf(lo):
            cells.add(_UNKNOWN_CELL)
        else:
            cells.update(range(math.floor(lo / width), math.floor(hi / width) + 2))
    return sorted(cells)


def _cells_of_rows(rows: list[TextRow] | TextTable, tolerance: float,
                   cells_below: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(row index, cell) for every cell every row occupies, sorted by row index then cell; vectorised form of
    ``duration_cells``, with ``cells_below`` more cells below each known duration's first."""
    table = rows if isinstance(rows, TextTable) else TextTable.of(rows)
    owner = table.segment_owner()
    if math.isinf(tolerance):
        return np.unique(owner), np.zeros(len(np.unique(owner)), dtype=np.int64)
    width = max(tolerance, 1e-3)
    lo, hi = table.lo, table.hi
    unknown = np.isinf(lo)
    first = np.where(unknown, _UNKNOWN_CELL, np.floor(np.where(unknown, 0, lo) / width) - cells_below).astype(np.int64)
    last = np.where(unknown, _UNKNOWN_CELL, np.floor(np.where(unknown, 0, hi) / width) + 1).astype(np.int64)
    counts = last - first + 1
    seg_of_cell = np.repeat(np.arange(len(first)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pairs = unique_rows(np.stack([owner[seg_of_cell], first[seg_of_cell] + offsets], axis=1))
    return pairs[:, 0], pairs[:, 1]


_SKETCH_BITS = 56


def sketch(text: str) -> int:
    """Length (top 8 bits) and a 56-bit set of the text's characters: a necessary-condition filter for pairs.

    Two texts within ``k`` edits differ in at most 2k characters, and one that is the other plus an affix of
    length d differs in at most d; a character-set bitmap can only under-count that difference. So pairs whose
    bitmaps differ in more bits than allowed are dropped before any text is fetched (``compatible``).
    """
    bits = 0
    for ch in set(text):
        bits |= 1 << ((ord(ch) * 2654435761 >> 16) % _SKETCH_BITS)
    return (min(len(text), 255) << _SKETCH_BITS) | bits


def sketches_of(texts: list[str]) -> np.ndarray:
    """``sketch`` of every text at once (one NumPy pass over all characters; equal to the per-text function)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    out = np.minimum(lengths, 255).astype(np.uint64) << np.uint64(_SKETCH_BITS)
    present = np.flatnonzero(lengths)
    if not present.size:
        return out
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    bits = np.uint64(1) << ((codes * np.uint64(2654435761) >> np.uint64(16)) % np.uint64(_SKETCH_BITS))
    starts = (np.cumsum(lengths) - lengths)[present]
    out[present] |= np.bitwise_or.reduceat(bits, starts)
    return out


def compatible(a: np.ndarray, b: np.ndarray, config: NearDupConfig) -> np.ndarray:
    """Vectorised necessary condition for ``similar`` on two arrays of sketches."""
    mask = np.uint64((1 << _SKETCH_BITS) - 1)
    length_diff = np.abs((a >> np.uint64(_SKETCH_BITS)).astype(np.int64) - (b >> np.uint64(_SKETCH_BITS)).astype(np.int64))
    differing = np.bitwise_count((a ^ b) & mask).astype(np.int64)
    return ((length_diff <= max(config.max_edits, config.max_affix_chars))
            & (differing <= np.maximum(2 * config.max_edits, length_diff)))


class LshEntries(NamedTuple):
    """A text table's LSH entries: each entry's bucket key and text (an index into ``hashes`` and ``sketches``,
    which hold one value per text). Entries name their text by index, so an entry crosses the bucket shuffle in
    12 bytes instead of 24 (at 1M records, 60M entries: their bytes were the largest cost after sorting)."""
    keys: np.ndarray      # uint64 bucket keys
    text: np.ndarray      # uint32 index of each entry's text
    hashes: np.ndarray    # int64 text hash, per text
    sketches: np.ndarray  # uint64 text sketch (``sketch``), per text
    earlier: np.ndarray | None = None  # bool per text: only earlier runs' records have it (None: none)

    def take(self, where: np.ndarray) -> "LshEntries":
        """The entries at ``where``, with the whole per-text columns (a bucket partition's piece)."""
        return LshEntries(self.keys[where], self.text[where], self.hashes, self.sketches, self.earlier)

    def earlier_flags(self) -> np.ndarray:
        return self.earlier if self.earlier is not None else np.zeros(len(self.hashes), dtype=bool)


def concat_entries(pieces: list[LshEntries]) -> LshEntries:
    """The entries of several text tables as those of one (text indexes shifted past the earlier pieces' texts)."""
    if len(pieces) == 1:
        return pieces[0]
    offsets = np.cumsum([0] + [len(piece.hashes) for piece in pieces[:-1]]).tolist()
    return LshEntries(np.concatenate([piece.keys for piece in pieces]),
                      np.concatenate([piece.text + np.uint32(offset) for piece, offset in zip(pieces, offsets)]),
                      np.concatenate([piece.hashes for piece in pieces]),
                      np.concatenate([piece.sketches for piece in pieces]),
                      np.concatenate([piece.earlier_flags() for piece in pieces]))


def earlier_texts(table: TextTable) -> np.ndarray:
    """Bool per text of a table: every record with it is an earlier run's (virtual record ids are negative)."""
    if not len(table.hashes):
        return np.zeros(0, dtype=bool)
    return np.maximum.reduceat(table.rep_ids, table.seg_starts[:-1]) < 0


def text_band_hashes(texts: list[str], config: NearDupConfig) -> np.ndarray:
    """(n, bands) uint64 MinHash band hashes of texts, before duration cells are mixed in (an index stores them)."""
    return band_keys(signatures(texts, config.num_perm, config.ngram, config.seed), config.bands, config.rows)


def lsh_entries(rows: list[TextRow] | TextTable, config: NearDupConfig,
                band_hashes: np.ndarray | None = None, cells_below: int = 0) -> LshEntries:
    """One entry per text, band and duration cell, plus (with ``max_edits`` >= 1) one per text, deletion key and
    duration cell (``filters.edit_keys``). ``band_hashes``: the texts' ``text_band_hashes``, when already known;
    ``cells_below``: extra cells below each duration's own (a Bloom filter's keys for ``probe_entries``).

    About 70 entries per text, so the key column is allocated once and filled in place (building it in parts and
    concatenating cost more than the MinHash itself)."""
    if not len(rows):
        return LshEntries(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64),
                          np.zeros(0, dtype=np.uint64))
    table = rows if isinstance(rows, TextTable) else TextTable.of(rows)
    texts = table.texts
    keys = band_hashes if band_hashes is not None else text_band_hashes(texts, config)
    owner, cells = _cells_of_rows(table, config.duration_tolerance, cells_below)
    cell_mix = cells.astype(np.uint64) * _CELL_MIX
    if config.max_edits >= 1:
        text_of, deletion = deletion_keys(texts)
        which, cell_rows = _deletion_cells(owner, text_of)
        text_of = text_of[which]
    else:
        which = cell_rows = text_of = np.zeros(0, dtype=np.int64)
        deletion = np.zeros(0, dtype=np.uint64)
    n_band = len(owner) * config.bands
    out_keys = np.empty(n_band + len(which), dtype=np.uint64)
    out_text = np.empty(len(out_keys), dtype=np.uint32)
    band_view = out_keys[:n_band].reshape(len(owner), config.bands)
    band_salt = _band_salts(config.bands)
    with np.errstate(over="ignore"):
        np.bitwise_xor(keys[owner], band_salt[None, :], out=band_view)
        band_view *= _GOLDEN
        band_view += cell_mix[:, None]
        deletion_view = out_keys[n_band:]
        np.bitwise_xor(deletion[which], _DELETION_SALT, out=deletion_view)
        deletion_view *= _GOLDEN
        deletion_view += cell_mix[cell_rows]
        out_keys ^= out_keys >> np.uint64(29)
    out_text[:n_band].reshape(len(owner), config.bands)[:] = owner[:, None]
    out_text[n_band:] = text_of
    return LshEntries(out_keys, out_text, table.hashes, sketches_of(texts), earlier_texts(table))


def _band_salts(bands: int) -> np.ndarray:
    """One salt per band: the same band hash in two bands must make two bucket keys."""
    return np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT


def _in_cells(salted: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Bucket keys of salted band or deletion hashes, each in its cell: ``lsh_entries``'s formula, one cell each."""
    with np.errstate(over="ignore"):
        keys = salted + cells.astype(np.uint64) * _CELL_MIX
        keys ^= keys >> np.uint64(29)
    return keys


def probe_entries(table: TextTable, config: NearDupConfig, band_hashes: np.ndarray,
                  bloom) -> tuple[np.ndarray, np.ndarray]:
    """(keys, text index) of the LSH entries of ``table``'s texts that pass ``bloom``: of ``lsh_entries``, at
    least every entry some new text also has, when the filter holds the new texts' entries made with
    ``cells_below=1``. Each text must be one record (one segment), as an earlier run's index rows are.

    Two durations within the tolerance are at most one cell apart, so a new text sharing an entry with this one is
    in the filter at this text's first cell: that one probe per band and deletion key decides, and only the
    passing entries are made in the second cell too and probed again."""
    n = len(table.hashes)
    if len(table.lo) != n:
        raise ValueError("probe_entries takes texts of one record each")
    known = ~np.isinf(table.lo)
    if math.isinf(config.duration_tolerance):
        first, second = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    else:
        width = max(config.duration_tolerance, 1e-3)
        first = np.where(known, np.floor(np.where(known, table.lo, 0) / width), _UNKNOWN_CELL).astype(np.int64)
        second = known
    band_salt = _band_salts(config.bands)
    with np.errstate(over="ignore"):
        salted = (band_hashes ^ band_salt[None, :]).ravel()
        salted *= _GOLDEN
        text = np.repeat(np.arange(n, dtype=np.int64), config.bands)
        if config.max_edits >= 1:
            text_of, deletion = deletion_keys(table.texts)
            deletion ^= _DELETION_SALT
            deletion *= _GOLDEN
            salted, text = np.concatenate([salted, deletion]), np.concatenate([text, text_of])
    keys = _in_cells(salted, first[text])
    hit = bloom.contains(keys)
    keys, salted, text = keys[hit], salted[hit], text[hit]
    again = second[text]
    next_keys = _in_cells(salted[again], first[text[again]] + 1)
    passing = bloom.contains(next_keys)
    return (np.concatenate([keys, next_keys[passing]]),
            np.concatenate([text, text[again][passing]]).astype(np.uint32))


def _deletion_cells(owner: np.ndarray, text_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (deletion key, cell) of a text: (index into the deletion keys, index into the cells), joined through
    the text index. ``owner`` (the text of each cell) is sorted, as ``_cells_of_rows`` returns it."""
    first = np.searchsorted(owner, text_of, side="left")
    count = np.searchsorted(owner, text_of, side="right") - first
    which = np.repeat(np.arange(len(text_of)), count)
    return which, np.repeat(first - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))


def unique_rows(pairs: np.ndarray) -> np.ndarray:
    """``np.unique(pairs, axis=0)`` for an (n, 2) integer array, by one lexsort (unique's row mode sorts a
    structured view, several times slower)."""
    if len(pairs) < 2:
        return pairs
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    keep = np.ones(len(pairs), dtype=bool)
    keep[1:] = (pairs[1:, 0] != pairs[:-1, 0]) | (pairs[1:, 1] != pairs[:-1, 1])
    return pairs[keep]
