"""Text analysis shared by rules and the classifier: normalisation that defeats disguise, tokens, lemmas.
Imports moderation.types only.
"""
