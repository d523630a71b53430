"""Knowledge articles: loading, validation and rendering for chat."""
