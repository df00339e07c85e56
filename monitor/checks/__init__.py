"""Compliance checks of official pages: plain async functions of (dependencies, page, now), one per clause.
Imports monitor ports and models values; only monitor/scheduler.py decides when they run.
"""
