"""Run every benchmark and print its figures."""

import resource

from . import frames, heap_traces, views

frames.run()
print()
heap_traces.run()
print()
views.run()
print()
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"Peak memory of this process: {peak_mib:,.0f} MiB")
