"""What a run tells people: the summary printed after a run, and (later) the HTML report."""
