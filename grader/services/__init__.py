"""What the product does, with no HTTP in it."""
