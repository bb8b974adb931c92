"""The views' state without a display: these tests make no QApplication."""
