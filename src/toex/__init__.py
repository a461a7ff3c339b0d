"""toex."""
