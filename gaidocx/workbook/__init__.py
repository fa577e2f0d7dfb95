"""The fill-in workbook: reading it (``read``), making it (``fillin``), where things sit (``layout``).

``WorkbookError`` lives here, not in the reader, so that code which only reports a failure
(the batch policy, the command line) can name it without loading the reader.
"""


class WorkbookError(Exception):
    """The file cannot be used at all; ``str(e)`` says in Chinese what was found and what to do."""
