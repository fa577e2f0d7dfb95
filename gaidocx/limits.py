"""How much narrative text a report may hold: the reader reports more as an error, so no report beyond it is rendered.

Ten times the longest real report (about 20 000 characters in 150 paragraphs):
generous for any report, and small enough that no document takes more than
seconds or more than a few tens of MB to write.
"""

MAX_NARRATIVE_CHARS = 200_000
MAX_PARAGRAPHS = 2_000
