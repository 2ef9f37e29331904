"""Every column a stage fills exists in the ledger schema with the same type, and stage names are DESIGN.md's."""
import pytest

from filters.category_check import CategoryCheckFilter
from filters.language import LanguageFilter
from filters.text_safety import TextSafetyFilter
from filters.title_quality import TitleQualityFilter
from filters.visual_quality import VisualQualityFilter
from filters.visual_safety import VisualSafetyFilter
from schemas.ledger import LEDGER_SCHEMA, STAGES, to_table

DESIGN_STAGES = ("schema", "duration", "title_quality", "language", "text_safety", "exact_dup", "near_dup", "decode",
                 "quality", "clip_score", "visual_safety", "category", "visual_dup", "balance")


@pytest.mark.parametrize("flt", [TitleQualityFilter, LanguageFilter, TextSafetyFilter, VisualQualityFilter,
                                 VisualSafetyFilter, CategoryCheckFilter])
def test_filter_columns_are_ledger_columns(flt):
    assert flt.stage in STAGES
    for name, dtype in flt.columns:
        assert LEDGER_SCHEMA.field(name).type == dtype, name


def test_stage_names_match_the_design():
    assert STAGES == DESIGN_STAGES


def test_to_table_fills_missing_columns_with_nulls():
    table = to_table([{"video_id": "a", "status": "kept"}])
    assert table.schema == LEDGER_SCHEMA and table.column("lang_prob").to_pylist() == [None]


def test_rows_to_table_keeps_runtime_columns_ignores_unknown_keys_and_refuses_wrong_types():
    import pyarrow as pa

    from schemas.ledger import ROWS_SCHEMA, rows_to_table
    table = rows_to_table([{"record_id": 1, "video_uri": "/v/a.mp4", "not_a_column": 3}, {"record_id": 2}])
    assert table.schema == ROWS_SCHEMA
    assert table.column("video_uri").to_pylist() == ["/v/a.mp4", None]
    assert rows_to_table([]).num_rows == 0
    with pytest.raises(pa.ArrowInvalid):
        rows_to_table([{"record_id": "one"}])
