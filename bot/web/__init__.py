"""FastAPI app: web chat, health, and (later) console and admin."""
