"""The text phase on a real local Flink cluster (see docs/RUNNING_ON_FLINK.md); needs Beam's job-server jar."""
import os
import subprocess
import time
import urllib.request

import pytest

from jobs import curate
from pipeline.config import DEFAULT_RECIPE
from pipeline.manifest import read_ledger

JAR = os.environ.get("BEAM_FLINK_JOB_SERVER_JAR")
SAMPLE = DEFAULT_RECIPE.parent.parent / "bench" / "sample" / "records.jsonl"
KEY = [("video_id", "ascending"), ("record_id", "ascending")]

pytestmark = pytest.mark.skipif(not JAR, reason="BEAM_FLINK_JOB_SERVER_JAR is not set (Beam's Flink job-server jar "
                                                "comes only from Maven Central; see docs/RUNNING_ON_FLINK.md)")


def _flink_home() -> str:
    if os.environ.get("FLINK_HOME"):
        return os.environ["FLINK_HOME"]
    pyflink = pytest.importorskip("pyflink", reason="no FLINK_HOME and no apache-flink wheel installed")
    return os.path.dirname(pyflink.__file__)


def _rest_up(seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen("http://localhost:8081/overview", timeout=2) as response:
                if b"taskmanagers" in response.read():
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError("Flink's REST API did not come up on localhost:8081")


def test_text_phase_on_a_local_flink_cluster_gives_the_local_ledger(tmp_path):
    home = _flink_home()
    subprocess.run([os.path.join(home, "bin", "start-cluster.sh")], check=True, capture_output=True)
    try:
        _rest_up()
        curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "flink"), "--quiet",
                    "--runner", "FlinkRunner", "--flink_master", "localhost:8081", "--flink_version", "2.2",
                    "--flink_job_server_jar", JAR, "--environment_type", "LOOPBACK"])
    finally:
        subprocess.run([os.path.join(home, "bin", "stop-cluster.sh")], capture_output=True)
    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "local"), "--quiet",
                "--direct_num_workers=1"])
    assert read_ledger(str(tmp_path / "flink" / "ledger")).sort_by(KEY).equals(
        read_ledger(str(tmp_path / "local" / "ledger")).sort_by(KEY))
