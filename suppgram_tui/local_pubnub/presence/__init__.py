"""Presence: who is on which channel, and the events that say so (reference §9).

`roster` holds the state and its rules (no HTTP); `handlers` parses the requests,
answers the seven endpoints and registers them.
"""
