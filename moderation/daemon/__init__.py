"""The daemon side: the pipeline, the action runner, moderators' decisions, escalating restrictions.
Imports the core; declares the ports (protocols) bots/ and models/ implement; no transport or storage.
"""
