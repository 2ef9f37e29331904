"""The raw-record contract: which input fields exist, and how a bad one is reported.

Validation never raises and never drops: it returns either a clean record or the reason (naming the field) that
becomes an ``error``/``schema`` ledger row.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Mapping

import pyarrow as pa

from schemas.taxonomy import canonical_category

RAW_SCHEMA = pa.schema([
    ("video_id", pa.string()),       # required
    ("title", pa.string()),          # required
    ("video_path", pa.string()),     # path or URI; relative paths resolve against the input file's folder
    ("duration", pa.float64()),      # seconds
    ("category", pa.string()),       # Chinese name, English name or id of the 45-class taxonomy
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("fps", pa.float64()),
    ("md5", pa.string()),
])
KNOWN_FIELDS = frozenset(RAW_SCHEMA.names)
YOUKU_CSV_COLUMNS = {"video_id:FILE": "video_path", "title": "title", "label": "category"}
_MD5 = re.compile(r"^[0-9a-f]{32}$")


class SchemaError(ValueError):
    """A record that cannot enter the pipeline; the message names the field."""


def _number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise SchemaError(f"{field} {value!r} is not a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise SchemaError(f"{field} {value[:40]!r} is not a number") from None
    if not isinstance(value, (int, float)):
        raise SchemaError(f"{field} {value!r} is not a number")
    try:
        value = float(value)
    except OverflowError:
        raise SchemaError(f"{field} is too large ({len(str(int(value))) if isinstance(value, int) else '?'} digits)")\
            from None
    if math.isnan(value):
        raise SchemaError(f"{field} is NaN")
    if math.isinf(value):
        raise SchemaError(f"{field} is infinite")
    if value < 0:
        raise SchemaError(f"{field} {value:g} is negative")
    return value


def _integer(value: Any, field: str) -> int | None:
    number = _number(value, field)
    if number is None:
        return None
    if not number.is_integer() or number > 2**31 - 1:
        raise SchemaError(f"{field} {number:g} is not a valid integer")
    return int(number)


def _text(value: Any, field: str, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SchemaError(f"missing {field}")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SchemaError(f"{field} must be a string, got {type(value).__name__}")
    value = str(value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON "\ud800" escapes decode to lone surrogates
        raise SchemaError(f"{field} is not valid UTF-8 (lone surrogate at character {exc.start})") from None
    return value


def validate(raw: Any, max_title_chars: int = 1000) -> dict[str, Any]:
    """Clean record from a parsed input object, or SchemaError naming the offending field."""
    if not isinstance(raw, Mapping):
        raise SchemaError(f"record is not an object (got {type(raw).__name__})")
    title = _text(raw.get("title"), "title", required=True)
    if len(title) > max_title_chars:
        raise SchemaError(f"title longer than {max_title_chars} characters ({len(title)})")
    record = {
        "video_id": _text(raw.get("video_id"), "video_id", required=True).strip(),
        "title_raw": title,
        "video_path": _text(raw.get("video_path"), "video_path", required=False),
        "duration": _number(raw.get("duration"), "duration"),
        "width": _integer(raw.get("width"), "width"),
        "height": _integer(raw.get("height"), "height"),
        "fps": _number(raw.get("fps"), "fps"),
        "md5": None,
        "category": None,
        "extra": None,
    }
    md5 = _text(raw.get("md5"), "md5", required=False)
    if md5 is not None:
        md5 = md5.strip().lower()
        if not _MD5.match(md5):
            raise SchemaError(f"md5 {md5[:40]!r} is not 32 hex digits")
        record["md5"] = md5
    category = raw.get("category")
    if category is not None and category != "":
        if isinstance(category, str):
            _text(category, "category", required=False)
        elif isinstance(category, bool) or not isinstance(category, (int, float)):
            raise SchemaError(f"category must be a name or an id, got {type(category).__name__}")
        record["category"] = canonical_category(category)
        if record["category"] is None:
            raise SchemaError(f"unknown category {str(category)[:40]!r}")
    extra = {str(k): v for k, v in raw.items() if k not in KNOWN_FIELDS}
    if extra:
        record["extra"] = _extra_json(extra)
    return record


def _extra_json(extra: dict[str, Any]) -> str:
    """Unknown fields, every one kept, as JSON; a field whose key or value is not valid Unicode is a SchemaError."""
    try:
        text = json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)
    except (ValueError, RecursionError) as exc:  # NaN is fine in JSON here; recursion and huge ints are not
        raise SchemaError(f"extra fields cannot be stored: {type(exc).__name__}: {str(exc)[:80]}") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        for key, value in extra.items():
            try:
                json.dumps({key: value}, ensure_ascii=False, default=str).encode("utf-8")
            except UnicodeEncodeError:
                raise SchemaError(f"field {printable(key)!r} is not valid UTF-8 (lone surrogate)") from None
    return text


def printable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so it can be written to Parquet and printed."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_MAX_INT_DIGITS = 4000   # under Python's 4300-digit str->int limit


def _parse_int(digits: str) -> int:
    if len(digits) > _MAX_INT_DIGITS:
        raise _HugeInteger(len(digits))
    return int(digits)


class _HugeInteger(ValueError):
    pass


_DECODER = json.JSONDecoder(parse_int=_parse_int)  # built once: json.loads(..., parse_int=) builds one per call


_FIELD_BEFORE = r'"((?:[^"\\]|\\.){0,200})"\s*:\s*'


def parse_json(text: str) -> Any:
    """``json.loads`` whose every failure is a SchemaError with a reason (naming the field where it can): malformed
    JSON, nesting past the parser's recursion limit, integers longer than 4000 digits."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"malformed JSON: {exc.msg} at column {exc.colno}") from None
    except _HugeInteger as exc:
        match = re.search(_FIELD_BEFORE + r"-?\d{%d}" % (_MAX_INT_DIGITS + 1), text)
        where = f"field {printable(match.group(1))!r}" if match else "an integer"
        raise SchemaError(f"{where} has {exc.args[0]} digits (limit {_MAX_INT_DIGITS})") from None
    except RecursionError:
        match = re.search(_FIELD_BEFORE + r"[\[{]\s*[\[{]", text)
        where = f"field {printable(match.group(1))!r}" if match else "record"
        raise SchemaError(f"{where} is nested too deeply to parse") from None


_ID_IN_TEXT = re.compile(r'"video_id"\s*:\s*"([^"\\]{1,200})"')


def salvage_video_id(text: str) -> str | None:
    """Best-effort video_id from a line that failed to parse, so its error row can still be found by id."""
    match = _ID_IN_TEXT.search(text[:100_000])
    return printable(match.group(1)) if match else None
