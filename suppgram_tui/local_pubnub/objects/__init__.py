"""App Context (objects v2): channel and uuid metadata with ETags, memberships, events.

The console keeps shared conversation state in channel metadata and claims a
conversation with a conditional write (If-Match), so ETags are the point here
(reference §10). `store` keeps the objects and `membership_store` the memberships (no
HTTP), `filter` is the list-filter language, `validation` what a body may hold;
`handlers`, `listing` and `memberships` answer the endpoints.
"""
