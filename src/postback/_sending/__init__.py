"""A notification: its settings, the prepared request, the response judged, the pacer."""
