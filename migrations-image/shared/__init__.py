"""Code shared by the KIKI services; here: the database models (``shared.models``)."""
