"""What `pfs code` shows: a code's profile, fees by place, the lake's releases and a code's history."""
