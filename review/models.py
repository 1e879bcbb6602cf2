"""The records of a review's stages (see ``review/apps.py``)."""
