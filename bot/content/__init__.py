"""Published content: releases in the database, drafts, and loading a release."""
