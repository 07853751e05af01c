"""App Context (objects v2): channel and uuid metadata with ETags, and their events.

The console keeps shared conversation state in channel metadata and claims a
conversation with a conditional write (If-Match), so ETags are the point here
(reference §10). `store` keeps the objects (no HTTP), `filter` is the list-filter
language, `handlers` and `listing` answer the endpoints.
"""
