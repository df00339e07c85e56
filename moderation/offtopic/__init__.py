"""Off-topic: how far a comment is from the post it answers, over the word vectors natasha ships.
Imports moderation.types and moderation.text.
"""
