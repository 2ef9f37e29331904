"""``ykcurate audit --run OUT``: what was rejected and why, from the ledger alone (no video is read again).

One self-contained HTML file (figures and thumbnails embedded as data URIs, works offline, every title and reason
HTML-escaped by Jinja2's autoescape) plus the same figures as text on the terminal: the funnel (input -> each stage
-> kept), score histograms with the threshold applied, the category distribution before and after, and a
stratified random sample of rejected records for each stage and kind of reason (see pipeline.ledger_stats). Every
control character and bidi override in a title, id or reason is shown escaped (``\x1b``, ``\u202e``), on the
terminal and in the HTML: a title must not be able to recolour a terminal or reorder what a reviewer reads.
"""
from __future__ import annotations

import base64
import io
import json
import math
import sys
import zipfile
from typing import Any

import jinja2

from apache_beam.io.filesystems import FileSystems

from jobs import main_for, review, visible
from pipeline import uris
from pipeline.run_folder import require_complete
from pipeline.ledger_stats import ledger_stats
from pipeline.manifest import format_funnel
from pipeline.progress import file_counter, step
from jobs import parsers

# (stage, score column, threshold keys in the manifest config or a ledger column holding the applied threshold)
HISTOGRAMS = [
    ("duration", "duration", [("duration", "min_seconds"), ("duration", "max_seconds")]),
    ("title_quality", "title_chars", [("title_quality", "min_chars"), ("title_quality", "max_chars")]),
    ("language", "han_share", [("language", "min_han_share")]),
    ("language", "lang_prob", []),
    ("quality", "quality_motion", [("quality", "static_threshold")]),
    ("quality", "quality_text_area_mean", [("quality", "max_text_area")]),
    ("clip_score", "clip_score_mean", ["clip_threshold"]),
    ("visual_safety", "visual_unsafe_zeroshot", [("visual_safety", "threshold")]),
    ("visual_safety", "visual_unsafe_nsfw", [("visual_safety", "nsfw_threshold")]),
]
NSFW_CLASSES = ("porn", "hentai", "sexy", "drawing", "neutral")
SAMPLE_COLUMNS = ["record_id", "video_id", "status", "stage", "reason", "title_raw", "title", "category",
                  "thumbnail_file", "duration", "lang_label", "lang_prob", "clip_score_mean", "safety_term", "dup_of",
                  "quality_text_area_mean", "quality_text_boxes", "visual_unsafe_nsfw",
                  *(f"visual_nsfw_{name}_max" for name in NSFW_CLASSES)]
CLIP_FACTOR = 4  # histogram bins span at most [lowest threshold / 4, highest threshold x 4]: heavy tails clip
def _number(value: float) -> str:
    return f"{value:.4g}"


_ENV = jinja2.Environment(autoescape=True, finalize=visible)
_ENV.filters["num"] = _number
TEMPLATE = _ENV.from_string("""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>ykcurate audit: {{ run }}</title>
<style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;vertical-align:top;margin:0 1em 1em 0}table{border-collapse:collapse}td,th{border:1px solid #ccc;
padding:4px 8px;text-align:left;vertical-align:top}img.t{width:120px}pre{background:#f6f6f6;padding:1em}</style>
</head><body>
<h1>Audit of {{ run }}</h1>
<h2>Funnel</h2><pre>{{ funnel_text }}</pre>
<h2>Scores</h2>
{% for h in histograms %}<figure><img alt="{{ h.column }}" src="data:image/png;base64,{{ h.png }}">
<figcaption>{{ h.stage }} / {{ h.column }}: {{ h.count }} records, {{ h.min|num }} to {{ h.max|num }}{% if
h.thresholds %}, threshold {{ h.thresholds|map("num")|join(", ") }}{% endif %}{% if h.clipped %} (bins clipped to
{{ h.low|num }}..{{ h.high|num }}: the end bars hold everything beyond){% endif %}</figcaption></figure>{% endfor %}
<h2>Categories</h2><table><tr><th>category</th><th>input</th><th>kept</th></tr>
{% for name, before, after in categories %}<tr><td>{{ name }}</td><td>{{ before }}</td><td>{{ after }}</td></tr>
{% endfor %}</table>
<h2>Rejected samples</h2>
{% for group in samples %}<h3>{{ group.stage }}: {{ group.kind }} ({{ group.total }} records)</h3>
<table><tr><th></th><th>video_id</th><th>title</th><th>reason</th><th>duplicate of</th><th>scores</th></tr>
{% for r in group.rows %}<tr><td>{% if r.thumb %}<img class="t" src="data:image/jpeg;base64,{{ r.thumb }}">{% endif %}
</td><td>{{ r.video_id }}</td><td>{{ r.title_raw }}</td><td>{{ r.reason }}</td><td>{% if r.dup_of %}{{ r.dup_of }}:
{{ r.dup_of_title }}{% endif %}</td><td>{{ r.scores }}</td></tr>
{% endfor %}</table>{% endfor %}
</body></html>""")


def _histogram_png(counts, edges, thresholds: list[float], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 2.4), dpi=80)
    ax.stairs(counts, edges, fill=True, color="#4a7ab0")
    for t in thresholds:
        ax.axvline(t, color="#c0392b", linestyle="--")
    ax.set_title(title, fontsize=9)
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _thumbnail(path: str | None, record_id: int) -> str | None:
    if not path or not FileSystems.exists(path):
        return None
    with FileSystems.open(path) as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        try:
            return base64.b64encode(archive.read(f"{record_id}.jpg")).decode()
        except KeyError:
            return None


def _scores_text(row: dict[str, Any]) -> str:
    """A sampled row's scores in one line: the text stages', on-screen text, and the NSFW classifier's per-class
    maxima over the sampled frames."""
    parts = [f"{k}={row[k]:.3g}" if isinstance(row[k], float) else f"{k}={row[k]}"
             for k in ("duration", "lang_label", "lang_prob", "clip_score_mean", "safety_term") if row[k] is not None]
    if row.get("quality_text_area_mean") is not None:
        parts.append(f"text area={row['quality_text_area_mean']:.1%} ({row['quality_text_boxes']} boxes)")
    if row.get("visual_unsafe_nsfw") is not None:
        classes = " ".join(f"{name} {row[f'visual_nsfw_{name}_max']:.2f}" for name in NSFW_CLASSES)
        parts.append(f"nsfw={row['visual_unsafe_nsfw']:.2f} (max per class: {classes})")
    return ", ".join(parts)


def _clip_limits(config: dict) -> dict[str, tuple[float, float]]:
    """Bin limits around the configured thresholds, for scores with unbounded tails (a 1e308 s duration would
    otherwise put every real record in one bar)."""
    limits = {}
    for _, column, sources in HISTOGRAMS:
        values = [config.get(s[0], {}).get(s[1]) for s in sources if isinstance(s, tuple)]
        values = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v) and v > 0]
        if values:
            limits[column] = (min(values) / CLIP_FACTOR, max(values) * CLIP_FACTOR)
    return limits


def build_report(run_dir: str, stage: str | None = None, reason: str | None = None, category: str | None = None,
                 sample: int = 5, seed: int = 0, quiet: bool = True) -> dict[str, Any]:
    manifest_path = uris.join(run_dir, "manifest.json")
    manifest = json.loads(uris.read_text(manifest_path)) if uris.exists(manifest_path) else {}
    config = manifest.get("config", {})
    columns = [c for _, c, _ in HISTOGRAMS] + ["clip_threshold"]
    stats = ledger_stats(uris.join(run_dir, "ledger"), columns, SAMPLE_COLUMNS, stage, reason, category, sample, seed,
                         clip=_clip_limits(config), on_file=file_counter("audit", quiet))
    histograms = []
    for stage_name, column, sources in HISTOGRAMS:
        h = stats["histograms"].get(column)
        if h is None:
            continue
        thresholds = []
        for source in sources:
            if isinstance(source, tuple):
                value = config.get(source[0], {}).get(source[1])
            else:
                value = stats["histograms"].get(source, {}).get("first")
            if isinstance(value, (int, float)):
                thresholds.append(float(value))
        histograms.append({"stage": stage_name, "column": column, "count": int(h["counts"].sum()),
                           "thresholds": thresholds, "min": h["min"], "max": h["max"], "clipped": h["clipped"],
                           "low": float(h["edges"][0]), "high": float(h["edges"][-1]),
                           "png": _histogram_png(h["counts"], h["edges"], thresholds, f"{stage_name}: {column}")})
    categories = [(name or "(none)", before, after) for name, before, after in stats["categories"]]
    samples = []
    for group in stats["samples"]:
        for row in group["rows"]:
            row["thumb"] = _thumbnail(uris.resolve(run_dir, row["thumbnail_file"]), row["record_id"])
            row["scores"] = _scores_text(row)
        samples.append(group)
    return {"run": run_dir, "funnel_text": format_funnel(stats["funnel"]), "histograms": histograms,
            "categories": categories, "samples": samples}


def render_text(report: dict[str, Any]) -> str:
    """The terminal summary; every title, id and reason passes through ``visible``."""
    lines = [report["funnel_text"], "", "scores:"]
    for h in report["histograms"]:
        lines.append(f"  {h['stage']:<14}{h['column']:<24}n={h['count']:<9}min={h['min']:.4g} max={h['max']:.4g}"
                     f"  threshold={', '.join(_number(t) for t in h['thresholds']) or '-'}")
    lines += ["", "categories (input -> kept):"]
    lines += [f"  {visible(name):<24}{b:>8} -> {a:<8}" for name, b, a in report["categories"][:45]]
    lines += ["", "rejected samples (stage: kind of reason, records):"]
    for group in report["samples"]:
        lines.append(f"  [{group['stage']}] {visible(group['kind'])} ({group['total']:,})")
        for r in group["rows"]:
            dup = f"  (duplicate of {visible(r['dup_of'])}: {visible((r.get('dup_of_title') or '')[:30])})" \
                if r.get("dup_of") else ""
            lines.append(f"      {visible(r['video_id'] or '(no id)')}: {visible((r['title_raw'] or '')[:40])}  "
                         f"<{visible((r['reason'] or '')[:60])}>{dup}")
    return "\n".join(lines)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    p = parsers.audit()
    args = p.parse_args(argv)
    if not args.ingest_review:
        require_complete(args.run)
    if args.export_review:
        n = review.export_review(args.run, args.export_review, per_stage=max(args.sample, 1) * 10, seed=args.seed)
        print(f"wrote {n} decisions to review: {args.export_review} (fill the verdict column: keep / reject)")
        return {"exported": n}
    if args.ingest_review:
        result = review.ingest_review(args.ingest_review)
        print(review.format_review(result))
        return result
    step(f"auditing {args.run}")
    report = build_report(args.run, args.stage, args.reason, args.category, args.sample, args.seed, quiet=False)
    if sys.stdout.isatty():
        print()  # end the redrawn progress line
    html_path = uris.absolute(args.html or uris.join(args.run, "audit.html"))
    uris.write_bytes(html_path, TEMPLATE.render(**report).encode("utf-8"))
    print(render_text(report))
    print(f"\nreport: {html_path}")
    report["html"] = str(html_path)
    return report


main = main_for(run, "ykcurate audit", (FileNotFoundError, ValueError))

if __name__ == "__main__":
    sys.exit(main())
