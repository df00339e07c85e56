"""Deciding comments: the pure core (text, lexicon, pii, classifier, offtopic, verdict) and daemon/.
The core imports only itself and rules/; daemon/ imports the core; nothing here imports transport or storage.
"""
