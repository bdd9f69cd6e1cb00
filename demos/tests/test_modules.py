"""rust_demo, char_count and sieve, with the values the talks use."""
import sys

import pytest

import char_count
import rust_demo
import sieve


def test_functions():
    assert rust_demo.fibonacci(40) == 102334155
    assert rust_demo.fibonacci(0) == 0
    assert rust_demo.factorial(10) == 3628800
    assert len(rust_demo.sieve_of_eratosthenes(1_000_000)) == 78498
    assert rust_demo.sum_list([1.5, 2.5, 3]) == 7.0
    assert rust_demo.filter_positive([-1, 2, 0, 3.5]) == [2.0, 3.5]
    assert rust_demo.word_frequencies("The cat, the hat.") == {"the": 2, "cat": 1, "hat": 1}
    assert list(rust_demo.word_frequencies("the cat and the hat")) == ["and", "cat", "hat", "the"], "sorted, every run"
    assert rust_demo.count_unique_words("a b A c") == 3
    assert rust_demo.is_palindrome("A man, a plan, a canal: Panama")
    assert not rust_demo.is_palindrome("PyO3")
    assert rust_demo.safe_divide(10, 4) == 2.5
    assert rust_demo.safe_parse_int(" 42 ") == 42


def test_errors_are_exceptions():
    with pytest.raises(ValueError, match="Division by zero"):
        rust_demo.safe_divide(1, 0)
    with pytest.raises(ValueError, match="forty"):
        rust_demo.safe_parse_int("forty")
    with pytest.raises(ValueError):
        rust_demo.factorial(21)
    with pytest.raises(OverflowError):
        rust_demo.fibonacci(-1)
    with pytest.raises(OverflowError):
        rust_demo.fibonacci(200)
    with pytest.raises(TypeError):
        rust_demo.fibonacci("forty")
    with pytest.raises(TypeError):
        rust_demo.sum_list("not a list of numbers")


def test_moving_average():
    ma = rust_demo.MovingAverage(3)
    assert [ma.add(v) for v in [10, 20, 30, 40]] == [10, 15, 20, 30]
    assert ma.count() == 3 and ma.average() == 30
    assert "MovingAverage" in repr(ma)
    ma.clear()
    assert ma.count() == 0
    with pytest.raises(ValueError):
        rust_demo.MovingAverage(0)


def test_ring_buffer_and_counter():
    rb = rust_demo.RingBuffer(2)
    for item in ["a", "b", "c"]:
        rb.push(item)
    assert rb.to_list() == ["b", "c"] and len(rb) == 2 and rb.is_full()
    with pytest.raises(IndexError):
        rb.get(5)
    c = rust_demo.Counter()
    c.increment()
    c.increment()
    c.decrement()
    assert c.value == 1
    assert repr(c) == "Counter(value=1)"
    c.reset()
    assert c.value == 0


def test_help_shows_docs_and_signatures():
    assert "Fibonacci" in rust_demo.fibonacci.__doc__
    assert "(n)" in rust_demo.fibonacci.__text_signature__


def test_char_count():
    text = "a,b,c\nd,e\nf,g,h,i"
    assert char_count.Counter(",", 3, char_count.Reset.NoReset).has_count(text)
    assert not char_count.Counter(",", 3, char_count.Reset.Newlines).has_count(text)
    assert char_count.Counter(" ", 0, char_count.Reset.Spaces).has_count("x") is False
    assert char_count.Reset.Newlines == char_count.Reset.Newlines


def test_sieve():
    assert sieve.count(10_000_000) == 664579
    assert sieve.primes(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert sieve.naive(30) == sieve.primes(30)
    assert len(sieve.naive(1_000_000)) == 78498
    assert sieve.count(0) == 0 and sieve.count(2) == 1
    assert sieve.primes(10**6)[-3:] == [999961, 999979, 999983]


def test_sieve_bad_limits():
    with pytest.raises(OverflowError):
        sieve.count(-5)
    with pytest.raises(ValueError, match="limit is 100000000000"):
        sieve.count(10**11 + 1)  # minutes of work: refused at once
    with pytest.raises(ValueError, match="limit is 1000000000"):
        sieve.primes(10**9 + 1)  # a list of 50 million ints already
    with pytest.raises(ValueError):
        sieve.naive(10**12)
    with pytest.raises(TypeError):
        sieve.primes("many")


def test_sieve_releases_the_gil_while_it_counts():
    """Python keeps running beside a long count: the sieve does not hold the GIL.

    With a switch interval far longer than the count, the worker keeps the GIL from setting
    `started` until it releases it on purpose or ends: the main thread ticks during the count
    only if the sieve lets go of the GIL. Its first tick puts the interval back, so the worker
    takes the GIL back in the usual time once the count returns.
    """
    import threading

    started, done = threading.Event(), threading.Event()
    result = []

    def count():
        started.set()
        result.append(sieve.count(2_000_000_000))
        done.set()

    ticks = 0
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        worker = threading.Thread(target=count)
        worker.start()
        started.wait()
        while not done.is_set():
            if ticks == 0:
                sys.setswitchinterval(interval)
            ticks += 1  # pure Python: runs only while the GIL is free
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert result == [98222287]
    assert ticks > 0, "Python stalled while the sieve ran"


def test_a_rust_panic_is_a_panic_exception_not_an_exception():
    with pytest.raises(BaseException) as raised:
        rust_demo.panics("kaboom")
    assert type(raised.value).__name__ == "PanicException"
    assert "kaboom" in str(raised.value)
    assert not isinstance(raised.value, Exception)


def test_the_fast_sieve_on_a_chosen_number_of_threads():
    assert sieve.count(10_000_000, threads=1) == sieve.count(10_000_000) == 664_579
    assert sieve.primes(100, threads=1) == sieve.primes(100)
    with pytest.raises(ValueError, match="at least 1"):
        sieve.count(100, threads=0)
