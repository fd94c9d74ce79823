"""One router per area of the console: sessions, the home page, IKM, curation cases."""
