"""Real multi-process engines for tests: a dask.distributed cluster and Beam SDK worker pools, each worker in its
own working directory and TMPDIR (as on separate machines, but for the disk), started and stopped by the test."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time

BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("localhost", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def _start(cmd: list[str], cwd, log) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(cwd), "PYTHONHASHSEED": "0", "PATH": BIN + os.pathsep + os.environ["PATH"]}
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def dask_cluster(root, workers: int = 2):
    """``dask scheduler`` + ``workers`` x ``dask worker`` (one thread each, own --local-directory and TMPDIR)."""
    port = free_port()
    log = open(os.path.join(root, "dask.log"), "ab")
    processes = [_start([os.path.join(BIN, "dask"), "scheduler", "--port", str(port), "--dashboard-address", ":0"],
                        root, log)]
    try:
        wait_for_port(port)
        address = f"tcp://127.0.0.1:{port}"
        for i in range(workers):
            folder = os.path.join(root, f"worker{i}")
            os.makedirs(folder, exist_ok=True)
            processes.append(_start([os.path.join(BIN, "dask"), "worker", address, "--nthreads", "1",
                                     "--local-directory", folder, "--dashboard-address", ":0"], folder, log))
        _wait_for_workers(address, workers)
        yield address
    finally:
        _stop(processes[1:])
        _stop(processes[:1])
        log.close()


def _wait_for_workers(address: str, workers: int) -> None:
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)


@contextlib.contextmanager
def beam_worker_pools(root, pools: int = 2):
    """A local job service plus ``pools`` SDK worker pools (``worker_pool_main``, the harness Flink and Dataflow
    run), each in its own folder. Yields the Beam arguments for ``--runner PortableRunner`` (EXTERNAL)."""
    log = open(os.path.join(root, "beam.log"), "ab")
    job_port, ports = free_port(), [free_port() for _ in range(pools)]
    processes = [_start([sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main",
                         "--port", str(job_port)], root, log)]
    try:
        for i, port in enumerate(ports):
            folder = os.path.join(root, f"pool{i}")
            os.makedirs(folder, exist_ok=True)
            processes.append(_start([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                                     f"--service_port={port}"], folder, log))
        for port in [job_port, *ports]:
            wait_for_port(port)
        yield ports, ["--runner=PortableRunner", f"--job_endpoint=localhost:{job_port}",
                      "--environment_type=EXTERNAL"]
    finally:
        _stop(processes)
        log.close()
