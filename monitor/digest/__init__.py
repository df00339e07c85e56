"""The weekly compliance digest for the press service: data.py gathers, html.py and message.py render.
Imports monitor ports, checks and models values.
"""
