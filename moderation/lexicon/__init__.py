"""Rule lists as data (rules/*.toml): loading, the literal prefilter and matching against an analysed comment.
Imports moderation.types and moderation.text.
"""
