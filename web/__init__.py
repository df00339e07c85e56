"""The web console for the press service and the IT department: decision log, appeals, figures, registry.
Imports models, monitor and the moderation core; only dozor/ imports it."""
