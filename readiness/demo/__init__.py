"""Demo data: a few contrasting municipalities, or a whole country."""
