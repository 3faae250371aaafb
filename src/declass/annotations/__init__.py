"""Researchers' annotations and discussion, anchored to passages of documents.
Package level imports nothing (the store's interface imports `records`)."""
