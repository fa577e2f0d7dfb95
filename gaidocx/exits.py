"""The exit codes of ``gaidocx``, in one place: the CLI, ``__main__`` and the library's results pick from these.

0 success, 1 a workbook (or report) has errors, 2 usage or file problems, 130 interrupted.
"""

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_FILE_PROBLEM = 2
#: 128 + SIGINT, as shells report Ctrl+C.
EXIT_INTERRUPTED = 130
INTERRUPTED = "已中断：写到一半的文件已删除，输入文件没有被修改。"
