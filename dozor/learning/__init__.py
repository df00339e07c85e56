"""The model learning from the moderators: decisions as training rows, candidates judged, versions kept.
Imports the store, the evaluation code and the classifier; only dozor's commands and the daemon import it.
"""
