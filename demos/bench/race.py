#!/usr/bin/env python3
"""Side by side, in one run: the sieve (naive and fast Rust) against pure Python and numpy,
then against primesieve at 1e9 on one thread, then JPEG XL decoding against djxl, one thread.
Run with the wheel installed (demos/scripts/test-wheel.sh makes target/wheel-venv):
    target/wheel-venv/bin/python demos/bench/race.py
Needs Debian's `primesieve` and `libjxl-tools` for the external columns."""
import os
import pathlib
import shutil
import subprocess
import sys
import time

os.environ.setdefault("RAYON_NUM_THREADS", str(os.cpu_count()))
import jxl_demo  # noqa: E402
import sieve  # noqa: E402


def best(f, *args, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = f(*args)
        times.append(time.perf_counter() - start)
    return value, min(times)


def py_sieve(n):
    """The textbook pure-Python sieve: loops all the way down."""
    is_prime = [True] * (n + 1)
    is_prime[0] = is_prime[1] = False
    i = 2
    while i * i <= n:
        if is_prime[i]:
            for j in range(i * i, n + 1, i):
                is_prime[j] = False
        i += 1
    return sum(is_prime)


def np_sieve(n):
    import numpy as np

    is_prime = np.ones(n + 1, dtype=bool)
    is_prime[:2] = False
    for i in range(2, int(n**0.5) + 1):
        if is_prime[i]:
            is_prime[i * i :: i] = False
    return int(is_prime.sum())


def race(n):
    rows = {}
    rows["pure Python"] = best(py_sieve, n, repeat=1)
    try:
        rows["numpy"] = best(np_sieve, n)
    except ImportError:
        pass
    rows["naive Rust"] = best(lambda n: len(sieve.naive(n)), n)
    rows["fast Rust"] = best(sieve.count, n)
    base = rows["pure Python"][1]
    counts = {v for v, _ in rows.values()}
    assert len(counts) == 1, f"implementations disagree: {rows}"
    print(f"\nprimes up to {n:,} ({counts.pop():,} of them)")
    for name, (_, t) in rows.items():
        print(f"  {name:<12} {t * 1000:10.2f} ms  {base / t:8.0f}x pure Python")
    return rows


def primesieve_1e9():
    n = 10**9
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    # A fresh process, so RAYON_NUM_THREADS=1 holds; best of three calls, the first included.
    code = (
        "import time, sieve\n"
        "def once():\n    s = time.perf_counter(); c = sieve.count(%d); return c, time.perf_counter() - s\n"
        "runs = [once() for _ in range(3)]\nprint(runs[0][0], min(t for _, t in runs), runs[0][1])" % n
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    ours, first = float(out[1]), float(out[2])
    print(f"\nprimes up to 1e9, one thread: fast Rust {ours * 1000:.0f} ms, first call {first * 1000:.0f} ms ({out[0]} primes)")
    if shutil.which("primesieve"):
        # primesieve reports its own sieving time (no process start-up); best of three.
        count, theirs = min((primesieve_run(n) for _ in range(3)), key=lambda run: run[1])
        print(f"  primesieve {theirs * 1000:.0f} ms ({count} primes): fast Rust / primesieve = {ours / theirs:.2f}x")
    else:
        print("  primesieve not installed (apt-get install primesieve)")


def primesieve_run(n):
    """(count, seconds) as primesieve reports them: its sieving time, no process start-up."""
    run = subprocess.run(["primesieve", str(n), "--threads=1", "--time", "--no-status"], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in run.stdout.splitlines() if ":" in line)
    return fields["Primes"].strip(), float(fields["Seconds"])


def jxl(path):
    data = path.read_bytes()
    img, t = best(jxl_demo.decode, data)
    mp = img.width * img.height / 1e6
    line = f"  {path.parent.name:<12} {img.width}x{img.height}: jxl_demo {mp / t:6.1f} MP/s"
    if shutil.which("djxl"):
        # djxl without an output file only decodes; it reports its own MP/s over 5 runs.
        run = subprocess.run(["djxl", str(path), "--num_reps=5", "--num_threads=1"], capture_output=True, text=True)
        speed = [w for w in (run.stdout + run.stderr).split(",") if "MP/s" in w]
        print(f"{line}, djxl {speed[-1].strip() if speed else 'failed'}")
    else:
        print(f"{line} (djxl not installed: apt-get install libjxl-tools)")


if __name__ == "__main__":
    for n in (10**6, 10**7):
        race(n)
    primesieve_1e9()
    print("\nJPEG XL decode, one thread:")
    conf = pathlib.Path(__file__).resolve().parents[3] / "shared/jxl/conformance"
    for case in ("bicycles", "noise", "patches_lossless", "lossless_pfm"):
        jxl(conf / case / "input.jxl")
