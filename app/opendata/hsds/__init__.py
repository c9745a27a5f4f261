"""HSDS 3.0 (Open Referral) open data: mapping, queries, the JSON API routes and the tabular export."""
