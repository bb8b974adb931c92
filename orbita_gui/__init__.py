"""orbita-gui: watch the Orbita OS frame and heap allocators work, live and exact."""

__version__ = "0.1.0"
