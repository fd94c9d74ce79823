"""The console: the web pages every Sentra user works in, a client of the three services' APIs."""
