"""Run every benchmark and print its figures."""

import resource

from . import frames, headless, heap_traces, history_memory, views

frames.run()
print()
heap_traces.run()
print()
history_memory.run()
print()
headless.run()
print()
views.run()
print()
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"Peak memory of this process: {peak_mib:,.0f} MiB")
