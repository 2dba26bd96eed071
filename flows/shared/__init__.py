"""What the datasets share: the tasks of every flow, and each dataset's fingerprint."""
