import io

from pipeline import progress


def test_status_line_extrapolates_then_counts_exactly():
    line = progress.status_line({"read": 1000, "read_bytes": 250, "text": 900}, 2.0, input_bytes=1000)
    assert "read 1,000" in line and "text 900" in line and "~4,000" in line and "ETA" in line
    line = progress.status_line({"read": 4000, "read_bytes": 1000, "text": 4000, "ledger": 1000}, 4.0, 1000)
    assert "ledger 25% of 4,000" in line and "~" not in line
    assert progress.status_line({}, 1.0).startswith("starting workers")
    assert "ledger 50% of 10" in progress.status_line({"ledger": 5}, 1.0, expected=10)


def test_workers_counts_reach_the_command_through_files(tmp_path, monkeypatch):
    stream = io.StringIO()
    with progress.Progress("curate", stream=stream, interval=0.05):
        progress.count("read", 7)
        progress.count("text", 5)
        progress.flush()
        counts = progress.totals(progress.os.environ[progress.ENV])
        assert counts["read"] == 7 and counts["text"] == 5
    assert progress.ENV not in progress.os.environ  # restored afterwards
    progress.count("read", 1)  # no folder: counting is a no-op


def test_quiet_progress_writes_nothing():
    stream = io.StringIO()
    with progress.Progress("curate", stream=stream, enabled=False):
        progress.count("read", 3)
    assert stream.getvalue() == ""
