"""Tests run in float64 with strict dtype promotion."""

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_dtype_promotion", "strict")

import os  # noqa: E402

# compiled programs shared by the two test workers (and kept between local runs): the same computation
# compiles once per machine instead of once per process; results are never cached
from landscape.io import compilation_cache  # noqa: E402

compilation_cache(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".pytest_cache", "jax"))

# Keras (an independent reference in tests and benchmarks) must use its JAX backend.
os.environ.setdefault("KERAS_BACKEND", "jax")


# ------------------------------------------------------------------------------------------------ memory
# Every process of the suite stays under MEMORY_BUDGET of resident memory (a contributor's laptop runs two
# workers). The test during which the process's peak crosses the budget fails, naming the peak; the peak
# of every test is written to RELU_LANDSCAPE_MEMORY_LOG when that variable names a file.
import resource  # noqa: E402

import pytest  # noqa: E402

MEMORY_BUDGET = float(os.environ.get("RELU_LANDSCAPE_MEMORY_BUDGET_GB", "3.5")) * 2**30


_OVER: set[str] = set()  # modules in which a test already failed the budget


def _peak_bytes() -> int:
    """This process's peak resident memory: VmHWM, the high-water mark of its own address space (reset by exec;
    getrusage's ru_maxrss is not: a child started from a large worker would begin at the worker's size)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


@pytest.fixture(autouse=True)
def _memory_budget(request):
    before = _peak_bytes()
    yield
    after = _peak_bytes()
    log = os.environ.get("RELU_LANDSCAPE_MEMORY_LOG")
    if log:
        with open(log, "a") as fh:
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            fh.write(f"{worker}\t{after / 2**30:.3f}\t{(after - before) / 2**30:+.3f}\t{request.node.nodeid}\n")
    if before <= MEMORY_BUDGET < after:
        _OVER.add(request.node.nodeid.split("::")[0])  # named here: the module's check need not name it again
        pytest.fail(
            f"this test raised the process's peak resident memory to {after / 2**30:.2f} GiB, over the "
            f"suite's budget of {MEMORY_BUDGET / 2**30:.2f} GiB per process"
        )


@pytest.fixture(autouse=True, scope="module")
def _release_memory_between_modules(request):
    """After each test module: drop JAX's compiled programs and return freed memory to the system, so that one
    module's programs and buffers do not add to the next module's peak; and fail the module whose fixtures (built
    outside any one test, so the per-test check does not see them) took the process over the budget."""
    before = _peak_bytes()
    yield
    after = _peak_bytes()
    if before <= MEMORY_BUDGET < after and request.node.nodeid.split("::")[0] not in _OVER:
        pytest.fail(
            f"this module (its fixtures included) raised the process's peak resident memory to {after / 2**30:.2f} "
            f"GiB, over the suite's budget of {MEMORY_BUDGET / 2**30:.2f} GiB per process"
        )
    import contextlib
    import ctypes
    import gc

    gc.collect()
    jax.clear_caches()
    gc.collect()
    with contextlib.suppress(OSError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# ------------------------------------------------------------------------------------------------ order
# The two workers take whole files (--dist loadfile) in collection order as they free up: the longest files go
# first, so that no long file starts last while the other worker sits idle at the end.
LONGEST_FIRST = ("test_verify.py", "test_flips.py", "test_readme.py", "test_explorer_page.py", "test_proofs.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))
