"""How many threads a server process's numeric libraries use for one computation (`Settings.compute_threads`).

A server computes answers for many requests at once, each a few milliseconds of BLAS, FAISS or torch work; a
library that spreads one such computation over every core only makes the threads contend, with the event loop
and with each other (measured with `bench/serving.py`: a threaded BLAS made the same answers several times
dearer). Cores are used through processes (`pathwise serve --workers N`) instead. Training (`pathwise train`)
keeps the libraries' own defaults.
"""

import os
import sys

VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS")


def limit_compute_threads(threads: int) -> None:
    """At most `threads` threads per computation: for libraries loaded later (and worker processes started from
    this one) through their environment variables, for those already loaded through their own calls."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    for name in VARIABLES:
        os.environ[name] = str(threads)
    threadpool_limits(threads)  # BLAS and OpenMP pools already loaded
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    faiss = sys.modules.get("faiss")
    if faiss is not None:
        faiss.omp_set_num_threads(threads)
