"""The verdict: the engine that runs every detector on a comment; the policy from scores to an action.
Imports the rest of the core; never moderation.daemon.
"""
