"""gaidocx：政府信息公开工作年度报告的填报、校验与排版。

Data flows one way: ``workbook`` (xlsx in) → ``core`` (report model and checks)
→ ``document`` (docx out); ``cli`` is a thin click layer over them.
"""

__version__ = "0.1.0"
