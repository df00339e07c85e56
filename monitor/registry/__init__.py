"""Registry of official pages (section III): service, deadlines, spreadsheet import/export, public export.
Imports models/ and monitor ports.
"""
