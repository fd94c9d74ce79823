"""Exhibitions: fairs, floor plans, eligibility, applications, booth allocation and the waitlist."""
