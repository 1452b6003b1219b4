"""Use cases that tie schemas, storage and the algorithms together.

Services take an open ``Session`` and flush; the caller (an API request or a CLI
command) owns the unit of work and commits once.
"""
