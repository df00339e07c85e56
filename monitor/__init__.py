"""Compliance: scheduled checks of the pages, the registry of official pages and its deadlines, the digest.
May import models/ and moderation types; platform sources come in through its ports.
"""
