"""The collector is tuned once per process, whoever calls first (driver or a worker DoFn's setup)."""
import gc

from pipeline import gc_tuning


def test_tune_collector_sets_thresholds_once(monkeypatch):
    monkeypatch.setattr(gc_tuning, "_tuned", False)
    before = gc.get_threshold()
    try:
        gc_tuning.tune_collector()
        assert gc.get_threshold() == (gc_tuning.YOUNG_ALLOCATIONS, gc_tuning.MIDDLE_EVERY, gc_tuning.OLD_EVERY)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        gc.set_threshold(*before)
        gc_tuning.tune_collector()  # a second call (another DoFn's setup in the same process) changes nothing
        assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
