"""Spam waves remembered: MinHash signatures of comments moderators decided, matched against new comments.

Pure in-memory index and verdict amendment; persistence lives in models/waves.py, wiring in moderation/daemon.
"""
