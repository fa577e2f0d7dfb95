"""Shipped templates: the Word report template and the Excel fill-in workbook (package data)."""
