"""Reading a message: sentences, the safety screen, and the question asked (DESIGN.md)."""
