"""The collection desk (``gaidocx serve``): agencies upload their workbooks in a browser, the office
sees who is done.  A Django app over ``gaidocx.pipeline``; installed with ``pip install "gaidocx[desk]"``.

Nothing here is imported by the plain ``gaidocx`` commands except ``commands``, which loads Django
only when a desk command runs.
"""

#: Largest workbook accepted (the server refuses larger bodies before reading them).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
#: Room for the multipart envelope and the CSRF field around the file.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
