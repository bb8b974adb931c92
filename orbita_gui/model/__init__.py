"""Qt models that own the core allocators: operations, signals, undo.

Views read the model and call its operations; they never touch an allocator.
"""

from .machine_model import MachineModel
from .player import SPEEDS, TracePlayer

__all__ = ["SPEEDS", "MachineModel", "TracePlayer"]
