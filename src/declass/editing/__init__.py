"""Editorial work: versioned edits with author and reason, diffs, reverts, withdrawal,
the audit log and the public errata. Package level imports nothing (the store's
interface imports `records`)."""
