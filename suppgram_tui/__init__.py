"""suppgram-tui: a terminal console for support agents whose customers chat over PubNub."""

__version__ = "0.1.0"
