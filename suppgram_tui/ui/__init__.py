"""The Textual console: a thin view over the inbox. Only this package imports Textual."""
