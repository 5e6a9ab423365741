"""Review: one model (session, queue) behind the terminal and the web app."""
