import os

# implicit warns (and would oversubscribe the 2 cores) when OpenBLAS is multithreaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
