"""Recruitment events: fairs, morning coffees, pop-up Fridays and company visits with their employers and
jobseekers, and what came of them."""
