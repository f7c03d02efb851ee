"""The orders service of the application-image example: a stand-in for a team's application."""
