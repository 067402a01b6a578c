"""Services beyond placements: the area's actor map (toimijakartta) of service providers and what each
offers, and the own caseworker's referrals of a client to those services with start, end and outcome."""
