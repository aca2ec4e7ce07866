"""One router per area. Every module here that defines ``router`` is included by the factory,
so adding an area (e.g. ``live.py``) never means editing a shared list."""
