"""Public pages, one module per door: ``catalog`` (home, search, guides, village pages,
material downloads); the resident's apply, track and account pages join it."""
