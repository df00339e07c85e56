"""The learned signal: a calibrated linear score per ground over lemma and character n-grams; training.
Imports moderation.types and moderation.config; scikit-learn only when training.
"""
