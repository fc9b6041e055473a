"""Quarterly monitoring for the Tasking & Co-ordination Group: the adopted priorities' numbers."""
