"""Run every benchmark and print its figures."""

import resource

from . import (
    big_traces,
    frames,
    free_list_speed,
    headless,
    heap_traces,
    history_memory,
    lifetimes,
    long_lists,
    views,
)

frames.run()
print()
heap_traces.run()
print()
free_list_speed.main(["--repeat", "1"])  # with malloc.py: ORBITA_MALLOC_PY=path/to/malloc.py
print()
long_lists.main([])
print()
history_memory.run()
print()
headless.run()
print()
views.run()
print()
big_traces.run()
print()
lifetimes.run()
print()
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"Peak memory of this process: {peak_mib:,.0f} MiB")
