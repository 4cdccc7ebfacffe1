"""Pages of the points app, by who uses them: residents, merchants, staff, and the public."""
