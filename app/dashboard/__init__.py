"""Home page per role."""
