"""Widgets that draw the model: they read it, call its operations, and repaint on its signals."""
