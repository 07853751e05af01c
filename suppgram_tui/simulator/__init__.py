"""Simulated customers and the converter workbench; headless, the UI is a view over it."""
