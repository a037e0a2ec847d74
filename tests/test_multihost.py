"""Two processes on one machine (CPU devices, loopback coordinator, gloo collectives) run a grid, a training
sweep and a born-dead estimate together; the result equals one process's, bit for bit."""

import os
import socket
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_equal_one(tmp_path):
    worker = os.path.join(HERE, "multihost_worker.py")
    port = str(_free_port())
    env2 = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    procs = [
        subprocess.Popen(
            [sys.executable, worker, str(i), "2", port, str(tmp_path / "multi.npz")],
            env=env2,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    env1 = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    one = subprocess.run(
        [sys.executable, worker, "0", "1", "0", str(tmp_path / "single.npz")],
        env=env1,
        capture_output=True,
        text=True,
        timeout=600,
    )
    logs = [p.communicate(timeout=600)[0] for p in procs]
    assert one.returncode == 0, one.stderr[-2000:]
    assert all(p.returncode == 0 for p in procs), "\n".join(log[-2000:] for log in logs)
    multi, single = np.load(tmp_path / "multi.npz"), np.load(tmp_path / "single.npz")
    assert sorted(multi.files) == sorted(single.files)
    for k in single.files:
        np.testing.assert_array_equal(multi[k], single[k], err_msg=k)  # the same float bits
